"""BUTTON_UPLOAD_FAIR through jam.py's HTTP /api with logged-in sessions.

Each test runs a jam.py server (its own process, fresh demo data) against the local NOMAD
stand-in and checks what CAMS shows, what the upload log keeps and what NOMAD received.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socket
import time
import zipfile

import requests

DONE = ("processed", "failed", "published")


def standin_uploads(nomad) -> list[str]:
    """Upload ids the stand-in holds (asked as its lab user)."""
    token = nomad.token()
    reply = requests.get(f"{nomad.url}/uploads", headers={"Authorization": f"Bearer {token}"},
                         params={"page_size": 100}, timeout=30)
    return [u["upload_id"] for u in reply.json()["data"]]


def uploads_created(nomad) -> int:
    return nomad.stats()["routes"].get("POST /uploads", 0)


def files_replaced(nomad) -> int:
    return sum(n for route, n in nomad.stats()["routes"].items()
               if route.startswith("PUT /uploads/"))


def log_rows(session, process_id):
    rows = session.rows("upload_log", ["process", "user_login", "action", "upload_id", "files",
                                       "zip_sha256", "outcome", "errors"], process=process_id)
    for row in rows:
        row["files"] = json.loads(row["files"] or "[]")
        row["errors"] = json.loads(row["errors"] or "[]")
    return rows


def test_upload_success_writes_status_entries_and_log(cams_server, nomad_server):
    session = cams_server.login("m.rossi")
    pid = session.process_id("PicoTCDv3")
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"] is True and reply["status"] == "queued" and reply["job_id"]

    state = session.wait_status(pid, DONE)
    assert state["status"] == "processed", state["message"]
    assert state["upload_id"] and state["link"].startswith(nomad_server.base_url)
    assert state["uploaded_at"] and state["errors"] == []
    assert len(state["steps"]) == 10
    for step in state["steps"]:
        assert step["entry_id"], step
        assert step["link"].endswith(step["entry_id"])
    rows = session.rows("steps", ["nomad_entry_id", "nomad_entry_link"])
    assert sum(1 for r in rows if r["nomad_entry_id"]) == 10

    [log] = log_rows(session, pid)
    assert (log["user_login"], log["action"], log["outcome"]) == ("m.rossi", "upload",
                                                                   "processed")
    assert log["upload_id"] == state["upload_id"]
    assert re.fullmatch(r"[0-9a-f]{64}", log["zip_sha256"])
    assert len(log["files"]) == 23 and all(f.endswith(".archive.json") for f in log["files"])
    assert uploads_created(nomad_server) == 1


def test_user_without_the_right_is_refused_logged_and_nothing_sent(cams_server, nomad_server):
    session = cams_server.login("a.bianchi")
    pid = session.process_id("Quick-Clean")  # owned by m.rossi
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"] is False
    assert "a.bianchi may not upload process 'Quick-Clean'" in reply["message"]
    assert "Nothing was sent" in reply["message"]
    guest = cams_server.login("guest")
    assert guest.call("processes", "upload_fair", pid)["ok"] is False
    assert guest.call("processes", "publish_fair", pid, 0)["ok"] is False

    assert nomad_server.stats()["total_requests"] == 0
    assert session.state(pid)["status"] == "not uploaded"
    outcomes = [(r["user_login"], r["action"], r["outcome"]) for r in log_rows(session, pid)]
    assert outcomes == [("a.bianchi", "upload", "refused"), ("guest", "upload", "refused"),
                        ("guest", "publish", "refused")]


def test_invalid_data_names_step_and_field_and_sends_nothing(cams_server, nomad_server):
    session = cams_server.login("m.rossi")
    pid = session.process_id("Faulty-Demo")
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"] is True and reply["status"] == "queued" and reply["job_id"]
    assert reply["errors"] == []  # the worker checks the data; its errors come with the state

    state = session.wait_status(pid, ("not uploaded", "processed", "failed"))
    assert state["status"] == "not uploaded" and not state["busy"]
    assert state["outcome"] == "invalid"
    [error] = state["errors"]
    assert error["step_position"] == 2 and error["step_name"] == "Trench etch"
    assert error["step_type"] == "RIE PlasmaPro"
    assert error["field"] == "time_IN" and error["value"] == "5 minutes"
    assert "H:M:S" in error["message"]
    assert state["message"].startswith(
        "Not sent to NOMAD: process 'Faulty-Demo' has 1 problem(s) to fix in CAMS.")
    assert "Step 2 (Trench etch, RIE PlasmaPro), field time_IN = '5 minutes'" in state["message"]
    assert nomad_server.stats()["total_requests"] == 0
    [log] = log_rows(session, pid)
    assert (log["user_login"], log["action"], log["outcome"]) == ("m.rossi", "upload",
                                                                   "invalid")
    assert log["errors"] == [error] and log["files"] == [] and not log["zip_sha256"]
    [job] = cams_server.login("admin").rows("nomad_jobs", ["process", "action", "state",
                                                           "message"], process=pid)
    assert (job["action"], job["state"]) == ("upload", "invalid")
    assert job["message"] == state["message"]


def test_nomad_down_ends_failed_with_a_message(cams_server_factory, nomad_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    server = cams_server_factory(nomad=nomad_server,
                                 env={"NOMAD_URL": f"http://127.0.0.1:{closed}/api/v1"})
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    assert session.call("processes", "upload_fair", pid)["ok"] is True
    state = session.wait_status(pid, DONE)
    assert state["status"] == "failed"
    assert "try again" in state["message"].lower()
    assert state["errors"] and state["errors"][0]["message"] == state["message"]
    [log] = log_rows(session, pid)
    assert log["outcome"] == "failed" and log["upload_id"] in (None, "")
    server.stop()


def test_nomad_processing_failure_names_the_steps(cams_server_factory, nomad_server_factory):
    # a NOMAD 1.x (no /schemas to check against first) whose plugin is the older one
    old_nomad = nomad_server_factory(extra_args=["--schema-set", "fabrication-utilities-2025.04",
                                                 "--nomad-version", "1.3.16"])
    server = cams_server_factory(nomad=old_nomad)
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    assert session.call("processes", "upload_fair", pid)["ok"] is True
    state = session.wait_status(pid, DONE)
    assert state["status"] == "failed"
    assert state["upload_id"]
    by_step = {e["step_position"]: e for e in state["errors"]}
    assert by_step[1]["step_name"] == "RCA clean" and by_step[1]["step_type"] == "Wet Cleaning"
    assert by_step[1]["message"].startswith("Step 1 (RCA clean, Wet Cleaning): NOMAD could not")
    assert by_step[2]["step_name"] == "Forming gas anneal"
    assert "Step 2 (Forming gas anneal, Metal Annealing)" in state["message"]
    [log] = log_rows(session, pid)
    assert log["outcome"] == "failed" and log["upload_id"] == state["upload_id"]
    server.stop()
    old_nomad.stop()


def test_a_nomad_2_with_another_plugin_version_is_caught_before_sending(
        cams_server_factory, nomad_server_factory):
    other = nomad_server_factory(extra_args=["--schema-set", "fabrication-utilities-2025.04"])
    server = cams_server_factory(nomad=other)
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    assert session.call("processes", "upload_fair", pid)["ok"] is True
    deadline = time.monotonic() + 60
    state = session.state(pid)
    while state["busy"] or state["outcome"] != "failed":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
        state = session.state(pid)
    assert state["status"] == "not uploaded"  # nothing was sent: the status is as before
    assert "does not fit the NOMAD" in state["message"]
    assert "and 63 more" in state["message"] and len(state["message"]) < 600  # 64 entries
    assert f"NOMAD at {other.url}" in state["message"]
    assert "schema_packages." in state["message"]  # names the class that NOMAD lacks
    assert uploads_created(other) == 0 and files_replaced(other) == 0
    assert any("/schemas/" in route for route in other.stats()["routes"])
    [log] = log_rows(session, pid)
    assert log["outcome"] == "failed" and not log["upload_id"]
    server.stop()
    other.stop()


def test_double_press_is_refused_while_the_job_runs(cams_server, nomad_server):
    nomad_server.fault(match="POST /uploads", delay=1.5)
    session = cams_server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    first = session.call("processes", "upload_fair", pid)
    second = session.call("processes", "upload_fair", pid)
    assert first["ok"] is True
    assert second["ok"] is False and "already under way" in second["message"]
    assert session.wait_status(pid, DONE)["status"] == "processed"
    assert uploads_created(nomad_server) == 1
    assert [(r["outcome"], r["user_login"]) for r in log_rows(session, pid)] == [
        ("refused", "m.rossi"), ("processed", "m.rossi")]  # every refusal is logged


def test_reupload_updates_the_same_nomad_upload(cams_server, nomad_server):
    session = cams_server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    first = session.wait_status(pid, DONE)
    assert first["status"] == "processed"
    again = session.call("processes", "upload_fair", pid)
    assert again["ok"] is True and first["upload_id"] in again["message"]
    second = session.wait_status(pid, DONE)
    assert second["status"] == "processed"
    assert second["upload_id"] == first["upload_id"]
    assert [s["entry_id"] for s in second["steps"]] == [s["entry_id"] for s in first["steps"]]
    assert uploads_created(nomad_server) == 1 and files_replaced(nomad_server) == 1
    logs = log_rows(session, pid)
    assert [(r["outcome"], r["upload_id"]) for r in logs] == [
        ("processed", first["upload_id"]), ("processed", first["upload_id"])]


def test_publish_only_for_granted_roles_and_never_changed_after(cams_server, nomad_server):
    owner = cams_server.login("m.rossi")
    pid = owner.process_id("Quick-Clean")
    early = cams_server.login("steward").call("processes", "publish_fair", pid, 0)
    assert early["ok"] is False and "only a processed upload" in early["message"]
    owner.call("processes", "upload_fair", pid)
    assert owner.wait_status(pid, DONE)["status"] == "processed"
    assert owner.state(pid)["can_publish"] is False

    refused = owner.call("processes", "publish_fair", pid, 0)
    assert refused["ok"] is False and "may not publish" in refused["message"]
    steward = cams_server.login("steward")
    assert steward.state(pid)["can_publish"] is True
    too_long = steward.call("processes", "publish_fair", pid, 48)
    assert too_long["ok"] is False and "embargo" in too_long["message"]
    reply = steward.call("processes", "publish_fair", pid, 3)
    assert reply["ok"] is True
    state = steward.wait_status(pid, ("published", "processed", "failed"))
    assert state["status"] == "published", state["message"]
    assert state["published_at"] and "embargo of 3 months" in state["message"]

    before = nomad_server.stats()["total_requests"]
    again = owner.call("processes", "upload_fair", pid)
    assert again["ok"] is False and "never changed" in again["message"]
    assert nomad_server.stats()["total_requests"] == before
    outcomes = [(r["user_login"], r["action"], r["outcome"]) for r in log_rows(owner, pid)]
    assert outcomes == [("steward", "publish", "refused"), ("m.rossi", "upload", "processed"),
                        ("m.rossi", "publish", "refused"), ("steward", "publish", "refused"),
                        ("steward", "publish", "published"), ("m.rossi", "upload", "refused")]


def test_steward_may_upload_a_process_of_someone_else(cams_server, nomad_server):
    steward = cams_server.login("steward")
    pid = steward.process_id("Quick-Clean")
    assert steward.call("processes", "upload_fair", pid)["ok"] is True
    assert steward.wait_status(pid, DONE)["status"] == "processed"


def test_restart_while_nomad_processes_resumes_the_job(cams_server_factory,
                                                       nomad_server_factory):
    slow_nomad = nomad_server_factory(processing_delay=3.0)
    server = cams_server_factory(nomad=slow_nomad)
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    session.wait_status(pid, ("processing",), timeout=30)
    server.kill()
    server.start()
    session = server.login("m.rossi")
    state = session.wait_status(pid, DONE, timeout=60)
    assert state["status"] == "processed", state["message"]
    assert all(step["entry_id"] for step in state["steps"])
    assert uploads_created(slow_nomad) == 1
    server.stop()
    slow_nomad.stop()


def test_restart_while_uploading_the_job_is_taken_over_and_its_upload_followed(
        cams_server, nomad_server):
    """CAMS (web and worker) killed while NOMAD receives the files: after the restart a
    worker takes the job over, finds the upload by its identity and follows it."""
    nomad_server.fault(match="POST /uploads", delay=3.0)
    session = cams_server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    session.wait_status(pid, ("uploading",), timeout=30)
    time.sleep(0.3)  # the zip is on its way; NOMAD answers only after the delay
    cams_server.kill()
    end = time.monotonic() + 15
    while not standin_uploads(nomad_server) and time.monotonic() < end:
        time.sleep(0.1)  # NOMAD finishes receiving what the dead worker sent
    [orphan] = standin_uploads(nomad_server)
    cams_server.start()
    session = cams_server.login("m.rossi")
    final = session.wait_status(pid, DONE)
    assert final["status"] == "processed", (final["message"], final["upload_id"], orphan)
    assert final["upload_id"] == orphan
    assert standin_uploads(nomad_server) == [orphan]
    assert uploads_created(nomad_server) == 1
    assert [r["outcome"] for r in log_rows(session, pid)] == ["processed"]


def test_processing_that_outlasts_the_deadline_ends_failed(cams_server_factory, nomad_server):
    nomad_server.fault(processing_never_ends=True)
    server = cams_server_factory(nomad=nomad_server, env={"NOMAD_PROCESSING_DEADLINE": "1.5"})
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    state = session.wait_status(pid, DONE, timeout=30)
    assert state["status"] == "failed" and state["upload_id"]
    assert "still processing" in state["message"]
    server.stop()


def test_export_hands_the_zip_to_the_owner_without_uploading(cams_server, nomad_server):
    session = cams_server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    reply = session.call("processes", "export_zip", pid)
    assert reply["ok"] is True and reply["file_name"] == "Quick-Clean.zip"
    content = base64.b64decode(reply["zip_base64"])
    assert hashlib.sha256(content).hexdigest() == reply["sha256"]
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len(names) == 3 and all(n.endswith(".archive.json") for n in names)
    bad = session.call("processes", "export_zip", session.process_id("Faulty-Demo"))
    assert bad["ok"] is False and bad["errors"][0]["field"] == "time_IN"
    assert nomad_server.stats()["total_requests"] == 0
    assert session.state(pid)["status"] == "not uploaded"


def test_upload_log_cannot_be_changed_from_the_web(cams_server, nomad_server):
    session = cams_server.login("admin")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    session.wait_status(pid, DONE)
    [log] = log_rows(session, pid)
    reply = session.apply_modified("upload_log", log["id"], ["outcome"], ["processed"],
                                   ["hacked"])
    assert "may not change records of NOMAD upload log" in reply["error"]
    assert [r["outcome"] for r in log_rows(session, pid)] == ["processed"]


def test_arguments_that_are_not_process_ids_are_refused_and_logged(cams_server, nomad_server):
    session = cams_server.login("m.rossi")
    for value in (True, 1.9, "5", None, [5], "abc", -7, 0, 10**30):
        for func in ("upload_fair", "export_zip", "nomad_state"):
            reply = session.call("processes", func, value)
            assert not reply.get("ok") and reply["status"] is None, (func, value, reply)
            assert "process" in reply["message"], reply
    assert session.call("processes", "upload_fair", "abc")["message"] == \
        "'abc' is not a process id."
    assert session.call("processes", "upload_fair", -7)["message"] == \
        "There is no process with id -7 in CAMS."
    pid = session.process_id("Quick-Clean")
    steward = cams_server.login("steward")
    for months in ("3", 2.5, True, -1):
        assert steward.call("processes", "publish_fair", pid, months)["ok"] is False
    assert nomad_server.stats()["total_requests"] == 0
    log = cams_server.log_text()
    assert "upload by m.rossi refused: no process with id -7" in log
    assert "'abc' is not a process id" in log


def test_saving_a_process_form_never_overwrites_what_the_worker_wrote(cams_server,
                                                                     nomad_server):
    session = cams_server.login("admin")
    pid = session.process_id("Quick-Clean")
    session.call("processes", "upload_fair", pid)
    processed = session.wait_status(pid, DONE)
    assert processed["status"] == "processed"
    # a form opened before the upload still holds the old NOMAD values; saving it must
    # change the user's fields only
    reply = session.apply_modified(
        "processes", pid, ["notes", "nomad_status", "nomad_upload_id"],
        ["", "not uploaded", ""], ["edited after the upload", "not uploaded", ""])
    assert not reply.get("error"), reply
    [row] = session.rows("processes", ["notes", "nomad_status", "nomad_upload_id"], id=pid)
    assert row["notes"] == "edited after the upload"
    assert (row["nomad_status"], row["nomad_upload_id"]) == ("processed",
                                                             processed["upload_id"])
