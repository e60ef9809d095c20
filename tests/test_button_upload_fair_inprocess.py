"""The processes item's server functions called in-process (jam.py loaded in a subprocess),
with a real NOMAD worker process running the queued jobs beside it."""

from __future__ import annotations

import time

from tests.fixtures.cams_task import (
    FIND_PROCESS,
    NO_NOMAD,
    WAIT_IDLE,
    nomad_env,
    run_in_task,
    start_worker_process,
)

CALL = FIND_PROCESS + """
jam.context.session = {session!r}
result = {{"press": processes.upload_fair(processes, pid)}}
""" + WAIT_IDLE + """
result["state"] = state
"""


def session(login, role):
    return {"user_info": {"login": login, "role_name": role, "user_id": 1, "role_id": 1}}


def test_in_process_upload_by_the_owner(cams_task_copy, nomad_server, task_worker):
    body = CALL.format(name="Quick-Clean", session=session("m.rossi", "Researcher"))
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["press"]["ok"] is True
    assert result["state"]["status"] == "processed"
    assert all(step["entry_id"] for step in result["state"]["steps"])
    assert nomad_server.stats()["routes"]["POST /uploads"] == 1


def test_in_process_without_a_session_nothing_is_sent(cams_task_copy, nomad_server):
    body = CALL.format(name="Quick-Clean", session=None)
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["press"]["ok"] is False
    assert "an anonymous user may not upload" in result["press"]["message"]
    assert result["state"]["status"] == "not uploaded"
    assert nomad_server.stats()["total_requests"] == 0


def test_in_process_invalid_process_names_step_and_field(cams_task_copy, nomad_server,
                                                        task_worker):
    body = CALL.format(name="Faulty-Demo", session=session("steward", "Data steward"))
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["press"]["ok"] is True and result["press"]["status"] == "queued"
    [error] = result["state"]["errors"]
    assert (error["step_position"], error["step_name"], error["field"]) == (
        2, "Trench etch", "time_IN")
    assert result["state"]["status"] == "not uploaded"
    assert result["state"]["outcome"] == "invalid"
    assert nomad_server.stats()["total_requests"] == 0


def test_in_process_invalid_data_restores_the_status_before_the_press(cams_task_copy,
                                                                      nomad_server, task_worker):
    earlier = """
from cams_module.lims import job_store
rows = task.processes.copy(handlers=False)
rows.set_where(name="Faulty-Demo")
rows.open()
job_store.write_back(task, rows.id.value, process={"nomad_status": "failed",
                     "nomad_upload_id": "earlier-upload", "nomad_message": "earlier"})
"""
    body = earlier + CALL.format(name="Faulty-Demo", session=session("m.rossi", "Researcher"))
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["press"]["ok"] is True
    state = result["state"]
    assert state["status"] == "failed" and state["upload_id"] == "earlier-upload"
    assert state["message"].startswith("Not sent to NOMAD")
    assert [e["field"] for e in state["errors"]] == ["time_IN"]
    assert nomad_server.stats()["total_requests"] == 0


def test_in_process_zip_that_cannot_be_written_ends_failed_nothing_sent(cams_task_copy,
                                                                        nomad_server,
                                                                        tmp_path):
    """The worker's zip folder (TMPDIR) turns into a file after it started: room on the
    disk, but no folder for the zip."""
    zips = tmp_path / "zips"
    zips.mkdir()
    proc = start_worker_process(cams_task_copy.path,
                                {**nomad_env(nomad_server), "TMPDIR": str(zips)})
    time.sleep(1.0)  # the worker has looked at its temporary folder
    zips.rmdir()
    zips.write_text("not a folder")
    unwritable = ""
    body = unwritable + CALL.format(name="Quick-Clean",
                                    session=session("m.rossi", "Researcher"))
    body += """
from cams_module.lims import job_store
result["log"] = job_store.log_rows(task, pid)
result["job"] = job_store.latest_job(task, pid)
"""
    try:
        result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    finally:
        proc.terminate()
        proc.wait(10)
    assert result["press"]["ok"] is True
    state = result["state"]
    assert state["status"] == "not uploaded" and not state["busy"]
    assert "could not be written on the CAMS server" in state["message"]
    assert state["outcome"] == "failed" and state["errors"][0]["message"] == state["message"]
    [log] = result["log"]
    assert (log["action"], log["outcome"], log["files"]) == ("upload", "failed", [])
    assert result["job"]["state"] == "failed"
    assert nomad_server.stats()["total_requests"] == 0


def test_in_process_without_nomad_configuration(cams_task_copy):
    body = CALL.format(name="Quick-Clean", session=session("m.rossi", "Researcher"))
    result = run_in_task(cams_task_copy.path, body, env=NO_NOMAD)
    assert result["press"]["ok"] is False
    assert "NOMAD is not configured" in result["press"]["message"]
    assert "NOMAD_URL" in result["press"]["message"]
    assert result["state"]["status"] == "not uploaded"
