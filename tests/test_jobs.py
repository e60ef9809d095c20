"""Background jobs: start-up recovery, a job that dies, append-only log, kept NOMAD fields.

Each scenario prepares the CAMS database in one process and loads the task again in a new
one — exactly what a server restart does (the task's on_created runs the recovery).
"""

from __future__ import annotations

import os
import subprocess

from tests.fixtures.cams_task import nomad_env, run_in_task

NO_NOMAD = {"NOMAD_URL": "", "NOMAD_TOKEN": "", "NOMAD_USERNAME": "", "NOMAD_PASSWORD": "",
            "NOMAD_CONFIG": ""}

PREPARE = """
from cams_module.lims import job_store as store
from cams_module.status import NomadStatus
def pid_of(name):
    rows = task.processes.copy(handlers=False)
    rows.set_where(name=name)
    rows.open()
    return rows.id.value
def leave(name, status, worker, action="upload", upload_id=None):
    pid = pid_of(name)
    store.write_back(task, pid, process={{"nomad_status": status,
                                          "nomad_upload_id": upload_id}})
    store.create_job(task, pid, action, "m.rossi", worker, {{"files": ["a.archive.json"]}},
                     upload_id=upload_id)
leave("Quick-Clean", NomadStatus.UPLOADING, {dead!r})
leave("PicoTCDv3", NomadStatus.PROCESSING, {dead!r}, upload_id="UPLOAD123")
leave("MEMS-Gyro-B2", NomadStatus.QUEUED, {dead!r}, action="publish", upload_id="UPLOAD456")
leave("SiN-Waveguide-07", NomadStatus.PROCESSING, {alive!r}, upload_id="UPLOAD789")
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
                            "job": job and job["state"], "log": store.log_rows(task, r.id.value)}
"""


def dead_pid() -> int:
    """The pid of a process that has just ended."""
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


def test_restart_recovers_processes_left_busy_by_dead_workers(cams_task_copy):
    dead = f"{dead_pid()}:gone"
    alive = f"{os.getpid()}:elsewhere"  # pytest itself: a live process that is not CAMS
    run_in_task(cams_task_copy.path, PREPARE.format(dead=dead, alive=alive), env=NO_NOMAD)
    after = run_in_task(cams_task_copy.path, READ, env=NO_NOMAD)

    uploading = after["Quick-Clean"]
    assert uploading["status"] == "failed" and uploading["job"] == "interrupted"
    assert uploading["message"] == "Interrupted by a server restart — press Upload FAIR again."
    assert [r["outcome"] for r in uploading["log"]] == ["interrupted"]
    assert uploading["log"][0]["files"] == ["a.archive.json"]

    processing = after["PicoTCDv3"]  # NOMAD holds it, but NOMAD is not configured here
    assert processing["status"] == "failed" and processing["upload_id"] == "UPLOAD123"
    assert "press Upload FAIR again" in processing["message"]

    publishing = after["MEMS-Gyro-B2"]
    assert publishing["status"] == "processed"
    assert "press Publish again" in publishing["message"]

    other_process = after["SiN-Waveguide-07"]
    assert other_process["status"] == "processing" and other_process["job"] == "queued"
    assert after["Faulty-Demo"]["status"] == "not uploaded"


def test_a_job_that_raises_leaves_a_status_that_says_so(cams_task_copy, nomad_server):
    body = """
import time
from cams_module.lims import job_store as store
from cams_module.lims import jobs
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
store.claim(task, pid, NomadStatus.QUEUED, "waiting")
job = jobs.UploadJob(job_id=0, process_id=pid, process_name="Quick-Clean",
                     user_login="m.rossi", zip_path="/nonexistent/dir/Quick-Clean.zip",
                     files=["x.archive.json"], sha256="0" * 64, step_files=[], steps={})
job.job_id = store.create_job(task, pid, "upload", "m.rossi", jobs.WORKER, job.payload())
jobs.submit(task, job, jobs.run_upload)
end = time.monotonic() + 30
while store.process_state(task, pid).status.busy and time.monotonic() < end:
    time.sleep(0.05)
state = store.process_state(task, pid)
result = {"status": str(state.status), "message": state.message,
          "job": store.latest_job(task, pid)["state"],
          "log": [r["outcome"] for r in store.log_rows(task, pid)],
          "second_claim": store.claim(task, pid, NomadStatus.QUEUED, "retry")}
"""
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["status"] == "failed"
    assert "stopped unexpectedly (FileNotFoundError" in result["message"]
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


def test_zip_folders_of_dead_servers_are_removed_at_start(cams_task_copy, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    dead = temp / f"cams-nomad-{dead_pid()}-abc"
    alive = temp / f"cams-nomad-{os.getpid()}-def"
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "Quick-Clean.zip").write_bytes(b"PK")
    run_in_task(cams_task_copy.path, "result = True", env={**NO_NOMAD, "TMPDIR": str(temp)})
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


def test_restart_before_the_worker_sent_anything_restores_the_status(cams_task_copy):
    dead = f"{dead_pid()}:gone"
    prepare = f"""
from cams_module.lims import job_store as store
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
store.write_back(task, pid, process={{"nomad_status": NomadStatus.PROCESSED,
                                      "nomad_upload_id": "UPLOAD42"}})
store.claim(task, pid, NomadStatus.QUEUED, "queued", job={{
    "action": "upload", "user_login": "m.rossi", "worker": {dead!r},
    "payload": {{"previous_status": "processed", "files": []}}, "upload_id": "UPLOAD42"}})
result = True
"""
    run_in_task(cams_task_copy.path, prepare, env=NO_NOMAD)
    after = run_in_task(cams_task_copy.path, READ, env=NO_NOMAD)["Quick-Clean"]
    assert after["status"] == "processed" and after["upload_id"] == "UPLOAD42"
    assert after["message"] == ("Interrupted by a server restart before anything was sent "
                                "to NOMAD — press Upload FAIR again.")
    assert after["job"] == "interrupted"
    assert [r["outcome"] for r in after["log"]] == ["interrupted"]
