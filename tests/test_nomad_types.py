from cams_module.nomad.errors import ProcessingFailed
from cams_module.nomad.models import Entry, Upload
from cams_module.nomad.poll import PollPolicy
from cams_module.nomad.retry import RetryPolicy, retry_after_seconds
from cams_module.status import NomadStatus

GUI = "http://127.0.0.1:1/gui"


def _entry(mainfile, status="SUCCESS", errors=()):
    return Entry.from_api({"entry_id": f"id-{mainfile}", "upload_id": "U1", "mainfile": mainfile,
                           "process_status": status, "errors": list(errors)}, GUI)


def test_upload_from_api_and_links():
    up = Upload.from_api({"upload_id": "U1", "upload_name": "PicoTCDv3", "process_running": False,
                          "process_status": "SUCCESS", "entries": 2, "errors": [],
                          "warnings": []}, GUI)
    up.entries = [_entry("a.archive.json"), _entry("b.archive.json")]
    assert up.gui_url == f"{GUI}/user/uploads/upload/id/U1"
    assert up.entries[0].gui_url == f"{GUI}/user/uploads/upload/id/U1/entry/id/id-a.archive.json"
    assert up.succeeded and up.status is NomadStatus.PROCESSED and up.entry_count == 2
    assert up.to_dict()["entries"][1]["mainfile"] == "b.archive.json"


def test_status_words():
    assert Upload("U", process_running=True).status is NomadStatus.PROCESSING
    assert Upload("U", process_status="FAILURE").status is NomadStatus.FAILED
    assert Upload("U", process_status="SUCCESS", published=True).status is NomadStatus.PUBLISHED


def test_processing_failed_names_files_and_errors():
    up = Upload("U1", upload_name="PicoTCDv3", process_status="SUCCESS")
    up.entries = [_entry("step_01.archive.json"),
                  _entry("step_02.archive.json", "FAILURE", ["could not resolve m_def x.Y"])]
    err = ProcessingFailed(up, up.failed_entries)
    assert not up.succeeded and up.status is NomadStatus.FAILED
    assert "step_02.archive.json: could not resolve m_def x.Y" in str(err)
    assert "1 of 2" in str(err) and err.hint
    assert err.failed_entries[0].mainfile == "step_02.archive.json"


def test_poll_intervals_grow_to_cap():
    it = PollPolicy(first=0.1, growth=2.0, cap=0.5).intervals()
    assert [next(it) for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_retry_waits():
    policy = RetryPolicy(backoff=1.0, max_backoff=3.0)
    assert 1.0 <= policy.wait(1) <= 1.25
    assert 3.0 <= policy.wait(5) <= 3.75
    assert policy.wait(1, retry_after=7.0) == 7.0
    assert retry_after_seconds(None) is None
