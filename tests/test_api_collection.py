"""Every client function against the local NOMAD stand-in, over real HTTP."""

import time

import pytest

from cams_module import api_collection as api
from cams_module.api_collection import (
    NotFoundError,
    ProcessingFailed,
    RequestRejected,
    Upload,
)
from cams_module.nomad import client as nomad_client
from cams_module.nomad.client import parse_time
from cams_module.status import NomadStatus
from tests.nomad_helpers import BAKING, fast_client, write_upload_zip


@pytest.fixture
def client(nomad_server):
    with fast_client(nomad_server) as c:
        yield c


@pytest.fixture
def zip_path(tmp_path):
    return write_upload_zip(tmp_path / "PicoTCDv3.zip", steps=3)


def _routes(server):
    return server.stats()["routes"]


def test_login_once_and_reuse_token(nomad_server, client):
    token = api.get_authentication_token(client=client)
    assert token and client.get_authentication_token() == token
    client.find_uploads()
    client.find_uploads()
    assert _routes(nomad_server)["POST /auth/token"] == 1


def test_personal_access_token_needs_no_login(nomad_server, zip_path):
    with fast_client(nomad_server, token=nomad_server.mint_pat()) as client:
        assert client.whoami()["username"] == nomad_server.username
        upload = api.upload_file(zip_path, client=client)
    assert upload.succeeded
    assert "POST /auth/token" not in _routes(nomad_server)


def test_upload_file_pipeline(nomad_server, client, zip_path):
    seen = []
    upload = api.upload_file(zip_path, client=client, upload_name="PicoTCDv3",
                             progress=lambda stage, up: seen.append((stage, up)))
    assert isinstance(upload, Upload)
    assert upload.succeeded and upload.status is NomadStatus.PROCESSED
    assert upload.process_status == "SUCCESS" and not upload.process_running
    assert upload.upload_name == "PicoTCDv3"
    assert sorted(e.mainfile for e in upload.entries) == [
        "process.archive.json", "step_01.archive.json", "step_02.archive.json",
        "step_03.archive.json"]
    assert upload.gui_url == f"{nomad_server.base_url}/gui/user/uploads/upload/id/" \
                             f"{upload.upload_id}"
    entry = upload.entries[0]
    assert entry.gui_url == f"{upload.gui_url}/entry/id/{entry.entry_id}"
    assert entry.process_status == "SUCCESS" and not entry.failed
    assert seen[0] == ("uploading", None)
    assert {stage for stage, _ in seen[1:]} == {"processing"}
    assert all(isinstance(up, Upload) for _, up in seen[1:])
    assert _routes(nomad_server)["POST /uploads"] == 1


def test_gui_link_answers(nomad_server, client, zip_path):
    import requests

    upload = client.upload_file(zip_path)
    assert requests.get(upload.gui_url, timeout=5).status_code == 200


def test_step_by_step_functions(client, zip_path):
    created = api.upload_to_NOMAD(zip_path, client=client, upload_name="by steps")
    assert created.upload_id and created.upload_name == "by steps"
    status = api.check_upload_status(created.upload_id, client=client)
    assert status.upload_id == created.upload_id
    done = api.wait_for_upload_completion(created.upload_id, client=client, deadline=30)
    assert not done.process_running and done.process_status == "SUCCESS"
    entries = api.get_upload_entries(created.upload_id, client=client)
    assert len(entries) == 4 and all(not e.failed for e in entries)
    assert api.delete_upload(created.upload_id, client=client) is not None
    _wait_until_gone(client, created.upload_id)
    with pytest.raises(NotFoundError):
        client.check_upload_status(created.upload_id)


def _wait_until_gone(client, upload_id):
    """NOMAD deletes in the background: wait until the upload is no longer listed."""
    for _ in range(200):
        if upload_id not in [u.upload_id for u in client.find_uploads()]:
            return
        time.sleep(0.05)
    raise AssertionError(f"upload {upload_id} was not deleted")


def test_entries_are_paged(nomad_server, client, tmp_path, monkeypatch):
    monkeypatch.setattr(nomad_client, "ENTRIES_PAGE_SIZE", 2)
    upload = client.upload_file(write_upload_zip(tmp_path / "five.zip", steps=4))
    assert len(upload.entries) == 5
    assert len({e.entry_id for e in upload.entries}) == 5
    assert _routes(nomad_server)["GET /uploads/{upload_id}/entries"] >= 3


def test_reexport_updates_the_same_upload(nomad_server, client, tmp_path):
    first = client.upload_file(write_upload_zip(tmp_path / "v1.zip", steps=2),
                               upload_name="PicoTCDv3")
    again = api.upload_file(write_upload_zip(tmp_path / "v2.zip", steps=3), client=client,
                            upload_id=first.upload_id)
    assert again.upload_id == first.upload_id
    assert len(first.entries) == 3
    assert "step_03.archive.json" in {e.mainfile for e in again.entries}
    assert [u.upload_id for u in client.find_uploads("PicoTCDv3")] == [first.upload_id]
    assert _routes(nomad_server)["POST /uploads"] == 1
    fewer = client.upload_file(write_upload_zip(tmp_path / "v3.zip", steps=1),
                               upload_id=first.upload_id)
    assert sorted(e.mainfile for e in fewer.entries) == [
        "process.archive.json", "step_01.archive.json"]  # removed steps are gone


def test_find_uploads_by_name(client, zip_path):
    a = client.upload_to_NOMAD(zip_path, upload_name="alpha")
    client.upload_to_NOMAD(zip_path, upload_name="beta")
    assert [u.upload_id for u in client.find_uploads("alpha")] == [a.upload_id]
    assert {u.upload_name for u in client.find_uploads()} >= {"alpha", "beta"}
    assert client.find_uploads("gamma") == []


def test_edit_metadata_and_dataset(nomad_server, client, zip_path):
    upload = client.upload_file(zip_path)
    dataset = client.create_dataset("PicoTCD runs 2025")
    assert dataset.dataset_id and dataset.dataset_name == "PicoTCD runs 2025"
    me = client.whoami()
    edited = client.edit_upload_metadata(
        upload.upload_id, upload_name="PicoTCDv3 final", comment="etched at 5 mTorr",
        references=["https://doi.org/10.5281/zenodo.15678583"],
        coauthors=[me["user_id"]], datasets=[dataset.dataset_id])
    assert edited.upload_id == upload.upload_id
    again = client.check_upload_status(upload.upload_id)
    assert again.upload_name == "PicoTCDv3 final"
    with pytest.raises(ValueError):
        client.edit_upload_metadata(upload.upload_id)


def test_duplicate_dataset_name_is_rejected_with_nomads_message(client):
    client.create_dataset("twice")
    with pytest.raises(RequestRejected) as info:
        client.create_dataset("twice")
    assert info.value.detail and info.value.detail in str(info.value)


def test_publish_and_published_upload_cannot_change(client, zip_path):
    upload = api.upload_file(zip_path, client=client, publish=True, embargo_length=0)
    assert upload.published and upload.status is NomadStatus.PUBLISHED
    assert upload.entries
    assert client.check_upload_status(upload.upload_id).published
    with pytest.raises(api.NomadError) as info:
        client.add_files(upload.upload_id, zip_path)
    assert "publish" in str(info.value).lower()
    with pytest.raises(RequestRejected) as info:
        client.upload_file(zip_path, upload_id=upload.upload_id)
    assert "published" in str(info.value) and "new upload" in info.value.hint


def test_reexport_while_processing_is_refused(nomad_server, client, zip_path):
    nomad_server.fault(processing_never_ends=True)
    created = client.upload_to_NOMAD(zip_path)
    with pytest.raises(RequestRejected) as info:
        client.upload_file(zip_path, upload_id=created.upload_id)
    assert "still being processed" in str(info.value)


def test_publish_function_and_cli_style_wait(client, zip_path):
    upload = client.upload_file(zip_path)
    started = api.publish_upload(upload.upload_id, client=client, embargo_length=3)
    assert started.upload_id == upload.upload_id
    done = client.wait_for_upload_completion(upload.upload_id, deadline=30)
    assert done.published and done.embargo_length == 3


def test_processing_failure_names_entry(client, tmp_path):
    bad = write_upload_zip(tmp_path / "bad.zip", steps=3, broken_step=2)
    with pytest.raises(ProcessingFailed) as info:
        api.upload_file(bad, client=client)
    err = info.value
    assert [e.mainfile for e in err.failed_entries] == ["step_02.archive.json"]
    assert err.failed_entries[0].errors
    assert "step_02.archive.json" in str(err) and "NoSuchStep" in str(err)
    assert err.upload.status is NomadStatus.FAILED
    assert client.check_upload_status(err.upload.upload_id)  # kept for inspection


def test_processing_failure_deletes_when_asked(client, tmp_path):
    bad = write_upload_zip(tmp_path / "bad.zip", steps=2, broken_step=1)
    with pytest.raises(ProcessingFailed) as info:
        client.upload_file(bad, delete_on_failure=True)
    _wait_until_gone(client, info.value.upload.upload_id)


def test_unknown_key_is_a_warning_not_a_failure(client, tmp_path):
    upload = client.upload_file(write_upload_zip(tmp_path / "w.zip", steps=2,
                                                 unknown_key_step=2))
    assert upload.succeeded
    step = next(e for e in upload.entries if e.mainfile == "step_02.archive.json")
    assert any("depth_IN" in w for w in step.warnings)


def test_publishing_failed_upload_is_rejected(client, tmp_path):
    bad = write_upload_zip(tmp_path / "bad.zip", steps=1, broken_step=1)
    with pytest.raises(ProcessingFailed) as info:
        client.upload_file(bad)
    with pytest.raises(RequestRejected) as rejected:
        client.publish_upload(info.value.upload.upload_id)
    assert rejected.value.detail and rejected.value.hint


def test_eleventh_unpublished_upload_is_rejected(client, zip_path):
    for n in range(10):
        client.upload_to_NOMAD(zip_path, upload_name=f"u{n}")
    with pytest.raises(RequestRejected) as info:
        client.upload_to_NOMAD(zip_path, upload_name="u10")
    assert info.value.status_code == 400
    assert info.value.detail in str(info.value)


def test_schema_of_a_class(client):
    schema = client.get_schema(BAKING)
    assert isinstance(schema, dict)
    assert "baking_steps" in str(schema)
    with pytest.raises(NotFoundError):
        client.get_schema("schema_packages.NoSuchClass")


def test_missing_zip_is_reported_before_any_request(nomad_server, client, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        client.upload_file(tmp_path / "absent.zip")
    assert "absent.zip" in str(info.value)
    assert nomad_server.stats()["total_requests"] == 0


def test_zip_is_streamed_not_read(client, tmp_path):
    """A 24 MB zip goes out while Python's peak allocation stays far below its size."""
    import tracemalloc
    import zipfile

    path = write_upload_zip(tmp_path / "big.zip", steps=1)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("raw/scan.bin", b"\0" * (24 * 1024 * 1024))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        upload = client.upload_to_NOMAD(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert upload.upload_id
    assert peak < size / 4


def test_functional_face_builds_its_client_from_the_environment(nomad_server, zip_path,
                                                                  monkeypatch):
    for key in ("NOMAD_TOKEN", "NOMAD_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NOMAD_URL", nomad_server.url)
    monkeypatch.setenv("NOMAD_USERNAME", nomad_server.username)
    monkeypatch.setenv("NOMAD_PASSWORD", nomad_server.password)
    assert api.get_authentication_token()
    created = api.upload_to_NOMAD(zip_path, upload_name="from env")
    assert api.check_upload_status(created.upload_id).upload_name == "from env"


def test_find_uploads_created_after(client, zip_path):
    old = client.upload_to_NOMAD(zip_path, upload_name="same name")
    created = parse_time(old.upload_create_time)
    assert created is not None
    assert [u.upload_id for u in client.find_uploads("same name", created_after=created - 1)] \
        == [old.upload_id]
    assert client.find_uploads("same name", created_after=created + 60) == []
