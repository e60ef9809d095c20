"""Upload FAIR with CAMS_NOMAD_SCHEMA=embedded, into the real NOMAD that has no facility
plugin (as the central NOMAD): the press, the worker, NOMAD's own processing and the
write-back, end to end."""

from __future__ import annotations

DONE = ("processed", "failed", "published")


def test_a_press_uploads_with_its_own_schema_and_every_entry_processes(
        cams_server_factory, real_nomad):
    server = cams_server_factory(nomad=real_nomad, env={"CAMS_NOMAD_SCHEMA": "embedded",
                                                        "NOMAD_PROCESSING_DEADLINE": "240"})
    rossi = server.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    assert rossi.call("processes", "upload_fair", pid)["ok"]
    state = rossi.wait_status(pid, DONE, timeout=300)
    assert state["status"] == "processed", state
    assert state["upload_id"] and all(s["entry_id"] for s in state["steps"]), state
    entries = real_nomad.client().get_upload_entries(state["upload_id"])
    assert entries and all(e.process_status == "SUCCESS" for e in entries), entries
    mainfiles = {e.mainfile for e in entries}
    assert any(m.endswith(".archive.yaml") for m in mainfiles), mainfiles


def test_a_mistyped_schema_setting_sends_nothing_and_names_the_setting(
        cams_server_factory, real_nomad):
    server = cams_server_factory(nomad=real_nomad, env={"CAMS_NOMAD_SCHEMA": "inline"})
    rossi = server.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    before = len(real_nomad.client().find_uploads())
    assert rossi.call("processes", "upload_fair", pid)["ok"]
    state = rossi.wait_status(pid, ("not uploaded", "failed", "processed"), timeout=120)
    assert state["status"] != "processed"
    assert "CAMS_NOMAD_SCHEMA" in state["message"], state
    assert len(real_nomad.client().find_uploads()) == before
