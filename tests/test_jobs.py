"""NOMAD jobs: takeover of dead workers' jobs, a step that dies, append-only log, kept
NOMAD fields.

Each takeover scenario leaves job rows in the CAMS database as dead workers would (in one
process), then starts a real worker process (`python -m cams_module.lims.worker`), whose
sweep takes the jobs over.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.fixtures.cams_task import NO_NOMAD, nomad_env, run_in_task, start_worker_process

PREPARE = """
import time
from cams_module.lims import job_store as store
from cams_module.status import NomadStatus
def pid_of(name):
    rows = task.processes.copy(handlers=False)
    rows.set_where(name=name)
    rows.open()
    return rows.id.value
def leave(name, status, state, worker, beat, action="upload", upload_id=None, job=True):
    pid = pid_of(name)
    store.write_back(task, pid, process={{"nomad_status": status,
                                          "nomad_upload_id": upload_id}})
    if not job:
        return
    job_id = store.create_job(task, pid, action, "m.rossi", worker,
                              {{"process_name": name, "previous_status": "not uploaded",
                                "token": "0123456789ab", "deadline": time.time() + 60}},
                              upload_id=upload_id, heartbeat=beat)
    store.write_back(task, pid, job=(job_id, {{"state": state}}))
old = time.time() - 3600
leave("Quick-Clean", NomadStatus.UPLOADING, "sending", {dead!r}, old)
leave("PicoTCDv3", NomadStatus.PROCESSING, "processing", {dead!r}, old, upload_id="UPLOAD123")
leave("MEMS-Gyro-B2", NomadStatus.QUEUED, "sending", {dead!r}, old, action="publish",
      upload_id="UPLOAD456")
leave("SiN-Waveguide-07", NomadStatus.PROCESSING, "processing", {alive!r}, time.time() + 3600,
      upload_id="UPLOAD789")
leave("Faulty-Demo", NomadStatus.UPLOADING, "", "", None, job=False)
result = True
"""

READ = """
from cams_module.lims import job_store as store
result = {}
rows = task.processes.copy(handlers=False)
rows.open()
for r in rows:
    job = store.latest_job(task, r.id.value)
    result[r.name.value] = {"status": r.nomad_status.value, "message": r.nomad_message.value,
                            "upload_id": r.nomad_upload_id.value,
                            "job": job and job["state"], "worker": job and job["worker"],
                            "log": store.log_rows(task, r.id.value)}
"""


def dead_pid() -> int:
    """The pid of a process that has just ended."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


def wait_read(folder: Path, env: dict[str, str], done, timeout: float = 60) -> dict:
    """READ until `done(result)` holds."""
    end = time.monotonic() + timeout
    while True:
        after = run_in_task(folder, READ, env=env)
        if done(after) or time.monotonic() > end:
            return after
        time.sleep(0.5)


def test_a_worker_takes_over_the_jobs_of_dead_workers(cams_task_copy, nomad_server):
    env = nomad_env(nomad_server)
    dead = f"gone-host:{dead_pid()}:dead"
    alive = "other-host:1:alive"  # heartbeat in the future: a worker elsewhere runs it
    run_in_task(cams_task_copy.path, PREPARE.format(dead=dead, alive=alive), env=env)
    worker = start_worker_process(cams_task_copy.path, env)
    try:
        after = wait_read(cams_task_copy.path, env, lambda a: not any(
            a[n]["status"] in ("queued", "uploading", "processing")
            for n in ("Quick-Clean", "PicoTCDv3", "MEMS-Gyro-B2", "Faulty-Demo")))
    finally:
        worker.terminate()
        worker.wait(10)

    sending = after["Quick-Clean"]  # nothing reached NOMAD: sent again, once
    assert sending["status"] == "processed" and sending["job"] == "done", sending
    assert [r["outcome"] for r in sending["log"]] == ["processed"]
    assert nomad_server.stats()["routes"]["POST /uploads"] == 1

    processing = after["PicoTCDv3"]  # followed; NOMAD does not know that upload
    assert processing["status"] == "failed" and processing["upload_id"] == "UPLOAD123"
    assert processing["job"] == "failed" and "UPLOAD123" in processing["message"]

    publishing = after["MEMS-Gyro-B2"]
    assert publishing["status"] == "processed" and publishing["job"] == "failed"
    assert "Publishing failed" in publishing["message"]

    other_worker = after["SiN-Waveguide-07"]  # alive elsewhere: left alone
    assert other_worker["status"] == "processing" and other_worker["job"] == "processing"
    assert other_worker["worker"] == alive

    no_job = after["Faulty-Demo"]
    assert no_job["status"] == "failed" and "press Upload FAIR again" in no_job["message"]
    assert [r["outcome"] for r in no_job["log"]] == ["interrupted"]


def test_a_step_that_raises_leaves_a_status_that_says_so(cams_task_copy, nomad_server):
    """A broken job row (a deadline that is not a time) while NOMAD processes: the step
    raises inside, and the job ends failed with a sentence; the process can be retried."""
    nomad_server.fault(processing_never_ends=True)
    body = """
import tempfile, zipfile
from cams_module.lims.upload_job import client_factory
from cams_module.lims import job_store as store
from cams_module.lims import jobs, leases
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
ticket = leases.new_ticket()
zip_path = tempfile.mkdtemp() + "/x.zip"
with zipfile.ZipFile(zip_path, "w") as zf:
    zf.writestr("a.txt", "x")
upload = client_factory().upload_to_NOMAD(zip_path, upload_name="broken")
job_id = store.claim(task, pid, NomadStatus.QUEUED, "waiting", job={
    "action": "upload", "user_login": "m.rossi", "worker": ticket, "heartbeat": 0.0,
    "upload_id": upload.upload_id,
    "payload": {"process_name": "Quick-Clean", "deadline": "not a time"}})
store.write_back(task, pid, job=(job_id, {"state": "processing"}))
result = {"stale": jobs.step(task, job_id, "next:someone-else", "w1"),
          "step": jobs.step(task, job_id, ticket, "w1")}
state = store.process_state(task, pid)
result.update({"status": str(state.status), "message": state.message,
               "job": store.latest_job(task, pid)["state"],
               "log": [r["outcome"] for r in store.log_rows(task, pid)],
               "second_claim": store.claim(task, pid, NomadStatus.QUEUED, "retry")})
"""
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["stale"] is None and result["step"] is None
    assert result["status"] == "failed"
    assert "stopped unexpectedly (" in result["message"], result["message"]
    assert result["job"] == "failed" and result["log"] == ["failed"]
    assert result["second_claim"] is True  # the job can be retried


def test_claim_is_exclusive_and_publish_needs_processed(cams_task_copy):
    body = """
from cams_module.lims import job_store as store
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
result = [store.claim(task, pid, NomadStatus.QUEUED, "a"),
          store.claim(task, pid, NomadStatus.QUEUED, "b"),
          store.claim(task, pid, NomadStatus.QUEUED, "c", allowed_from=(NomadStatus.PROCESSED,)),
          store.process_state(task, pid).message]
job = {"action": "upload", "user_login": "m.rossi", "worker": "w", "payload": {}}
result.append(store.claim(task, pid, NomadStatus.QUEUED, "d", job=job))  # busy: no job row
store.write_back(task, pid, process={"nomad_status": NomadStatus.FAILED})
job_id = store.claim(task, pid, NomadStatus.QUEUED, "e", job=job)
result.append(store.latest_job(task, pid)["id"] == job_id)
"""
    result = run_in_task(cams_task_copy.path, body, env=NO_NOMAD)
    assert result == [True, False, False, "a", None, True]


def test_upload_log_rows_are_never_changed_even_by_server_code(cams_task_copy):
    body = """
from cams_module.lims import job_store as store
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
store.append_log(task, rows.id.value, user_login="m.rossi", action="upload", outcome="failed")
log = task.upload_log.copy()
log.open()
log.edit()
log.outcome.value = "processed"
log.post()
result = {}
try:
    log.apply()
except Exception as err:
    result["error"] = str(err)
result["rows"] = [r["outcome"] for r in store.log_rows(task, rows.id.value)]
"""
    result = run_in_task(cams_task_copy.path, body, env=NO_NOMAD)
    assert "never changed" in result["error"]
    assert result["rows"] == ["failed"]


def test_saving_a_process_form_keeps_what_the_worker_wrote(cams_task_copy):
    body = """
import jam
from cams_module.lims import job_store as store
jam.context.session = {"user_info": {"login": "m.rossi", "role_name": "Researcher",
                                     "role_id": 3, "user_id": 3}}
form = task.processes.copy()
form.set_where(name="Quick-Clean")
form.open()
pid = form.id.value
store.write_back(task, pid, process={"nomad_status": "processed", "nomad_upload_id": "U1"})
form.edit()
form.description.value = "edited while the upload ran"
form.post()
changes = {}
form.change_log.get_changes(changes)
task.processes.apply_changes((changes, {}), safe=True)
state = store.process_state(task, pid)
rows = task.processes.copy(handlers=False)
rows.set_where(id=pid)
rows.open()
result = [str(state.status), state.upload_id, rows.description.value]
"""
    result = run_in_task(cams_task_copy.path, body, env=NO_NOMAD)
    assert result == ["processed", "U1", "edited while the upload ran"]


def test_zip_folders_of_dead_workers_are_removed_when_a_worker_starts(cams_task_copy,
                                                                     tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    dead = temp / f"cams-nomad-{dead_pid()}-abc"
    alive = temp / f"cams-nomad-{os.getpid()}-def"
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "Quick-Clean.zip").write_bytes(b"PK")
    worker = start_worker_process(cams_task_copy.path, {**NO_NOMAD, "TMPDIR": str(temp)})
    try:
        end = time.monotonic() + 30
        while dead.exists() and time.monotonic() < end:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(10)
    assert not dead.exists() and alive.exists()


def test_export_name_is_never_a_hidden_file(cams_task_copy):
    body = """
import json
from cams_module.lims.writer import write_process_document
from cams_module.button_upload_fair import export_for_download
from cams_module.lims.rights import User
doc = {"process": {"name": "../..hidden", "owner": "m.rossi"},
       "steps": [{"position": 1, "type": "Wet Cleaning", "name": "clean",
                  "fields": {"solution_type": "RCA-1"}}]}
pid = write_process_document(task, doc)
result = export_for_download(task, pid, User("m.rossi", "Researcher"))
"""
    reply = run_in_task(cams_task_copy.path, body, env=NO_NOMAD)
    assert reply["ok"] is True, reply
    assert reply["file_name"] == "hidden.zip"


def test_a_job_whose_queue_message_was_lost_is_queued_again(cams_task_copy, nomad_server):
    """The web process died between writing the job row and enqueueing it (or the queue
    lost it): once the message is overdue, a worker's sweep queues the job again."""
    env = {**nomad_env(nomad_server), "CAMS_NOMAD_QUEUE_TIMEOUT": "5"}
    prepare = """
import time
from cams_module.lims import job_store as store
from cams_module.lims import leases
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
store.claim(task, rows.id.value, NomadStatus.QUEUED, "queued", job={
    "action": "upload", "user_login": "m.rossi", "worker": leases.new_ticket(),
    "heartbeat": time.time() - 60,
    "payload": {"process_name": "Quick-Clean", "previous_status": "not uploaded"}})
result = True
"""
    run_in_task(cams_task_copy.path, prepare, env=env)
    worker = start_worker_process(cams_task_copy.path, env)
    try:
        after = wait_read(cams_task_copy.path, env,
                          lambda a: a["Quick-Clean"]["status"] in ("processed", "failed"))
    finally:
        worker.terminate()
        worker.wait(10)
    quick = after["Quick-Clean"]
    assert quick["status"] == "processed" and quick["job"] == "done", quick
    assert [r["outcome"] for r in quick["log"]] == ["processed"]
    assert nomad_server.stats()["routes"]["POST /uploads"] == 1
