"""Start-up recovery: no process stays stuck after its worker died.

On server start (`on_task_loaded`, called by the task's `on_created`) processes left busy
by a dead worker are resumed when NOMAD already holds their upload, otherwise marked
failed with "interrupted by a server restart — press Upload FAIR again"; a job still
queued (nothing sent) returns to the status before the press.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import cams_module.export  # noqa: F401 - loaded once at start, so the first press is quick
import cams_module.nomad.client  # noqa: F401 - imports requests once
from cams_module.cams2nomad.profile import load_profile
from cams_module.lims import job_store as store
from cams_module.lims.jobs import (
    INTERRUPTED,
    INTERRUPTED_UNSENT,
    WORKER,
    UploadJob,
    _finish,
    _pool,
    client_factory,
    is_running_here,
    run_resume,
    submit,
)
from cams_module.lims.prepare import profile_name
from cams_module.lims.times import now
from cams_module.lims.upload_errors import error_object
from cams_module.nomad.errors import NomadError
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.recovery")


def _worker_alive(worker: str | None, job_id: int) -> bool:
    if not worker:
        return False
    if worker == WORKER:
        return is_running_here(job_id)
    pid_text = worker.split(":", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    return _pid_alive(int(pid_text))


def warm_up() -> None:
    """Load the export profile and schemas once, so the first press is as quick as the rest."""
    def load() -> None:
        try:
            load_profile(profile_name())
            _pool()
        except Exception:  # the press reports any problem with the profile itself
            log.debug("export profile warm-up failed", exc_info=True)

    threading.Thread(target=load, name="cams-nomad-warm-up", daemon=True).start()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def remove_stale_zips() -> None:
    """Remove the zip folders of jobs whose server process died (a SIGKILL skips the
    clean-up a finished job does)."""
    for folder in Path(tempfile.gettempdir()).glob("cams-nomad-*-*"):
        pid_text = folder.name.split("-")[2]
        if folder.is_dir() and pid_text.isdigit() and int(pid_text) != os.getpid() \
                and not _pid_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)


def on_task_loaded(task: Any) -> None:
    """Leave no process stuck: resume or fail the jobs of workers that are gone."""
    warm_up()
    remove_stale_zips()
    try:
        busy = store.busy_processes(task)
    except Exception:  # the task is being built: no tables yet
        log.debug("no NOMAD status to recover", exc_info=True)
        return
    for state in busy:
        job_row = store.latest_job(task, state.id)
        if job_row and _worker_alive(job_row["worker"], job_row["id"]):
            continue
        recover(task, state, job_row)


def recover(task: Any, state: store.ProcessState, job_row: dict | None) -> None:
    """Resume following an upload NOMAD holds, or mark the process failed (interrupted)."""
    payload = dict((job_row or {}).get("payload") or {})
    upload_id = (job_row or {}).get("upload_id") or state.upload_id
    action = (job_row or {}).get("action") or "upload"
    reached_nomad = state.status == NomadStatus.PROCESSING and upload_id
    base = {k: payload.get(k) for k in ("files", "sha256", "step_files", "steps",
                                         "process_file") if payload.get(k) is not None}
    job = UploadJob(job_id=(job_row or {}).get("id") or 0, process_id=state.id,
                    process_name=state.name, user_login=(job_row or {}).get("user_login")
                    or "", zip_path="", files=base.get("files", []),
                    sha256=base.get("sha256", ""), step_files=base.get("step_files", []),
                    steps=base.get("steps", {}), upload_id=upload_id, action=action,
                    embargo_months=(job_row or {}).get("embargo_months") or 0)
    if reached_nomad:
        try:
            client_factory()
        except NomadError:
            reached_nomad = False
    previous = payload.get("previous_status")
    if previous not in {str(s) for s in NomadStatus if not s.busy}:
        previous = None
    if not reached_nomad and action == "upload" and previous and job_row \
            and job_row.get("state") == "queued" and state.status == NomadStatus.QUEUED:
        # the worker never began sending: nothing reached NOMAD, so the status goes back
        _finish(task, job, NomadStatus(previous), INTERRUPTED_UNSENT, outcome="interrupted")
        return
    if not reached_nomad:
        if action == "publish" and upload_id:
            _finish(task, job, NomadStatus.PROCESSED,
                    "Publishing was interrupted by a server restart; press Publish again.",
                    outcome="interrupted")
        elif job_row:
            _finish(task, job, NomadStatus.FAILED, INTERRUPTED, outcome="interrupted")
        else:
            store.write_back(task, state.id,
                             process={"nomad_status": NomadStatus.FAILED,
                                      "nomad_message": INTERRUPTED},
                             log={"action": "upload", "outcome": "interrupted",
                                  "errors": [error_object(INTERRUPTED)]})
        return
    new_id = store.create_job(task, state.id, "resume", job.user_login, WORKER,
                              {**job.payload(), "extra": {"resumed_action": action}},
                              upload_id=upload_id)
    if job_row:
        store.write_back(task, state.id,
                         job=(job_row["id"], {"state": "interrupted", "finished": now(),
                                              "message": f"resumed as job {new_id}"}))
    job.job_id = new_id
    job.extra = {"resumed_action": action}
    job.action = action
    submit(task, job, run_resume)
