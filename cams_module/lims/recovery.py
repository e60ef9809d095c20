"""No job lost and no process stuck, whichever worker or host dies.

Every worker sweeps when it starts and then every half lease (`sweep`):
- a job whose worker stopped its heartbeat for longer than the lease (killed, host gone),
  a job a lease overdue whose queue message is gone (a worker took it and died before
  claiming the job), or whose message is overdue by the queue timeout, gets a fresh
  ticket and is enqueued again; the worker that takes it continues from the job row
  (`jobs.step`), and the conditional claim lets only the newest message run it;
- a process left busy without any job that could finish it (a row of the old in-process
  engine, or none) is marked failed, "interrupted — press Upload FAIR again";
- zip folders of dead worker processes on this host are removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cams_module.lims import job_store as store
from cams_module.lims import leases
from cams_module.lims.queue import QueueError, enqueue, waiting_tickets
from cams_module.lims.upload_errors import error_object
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.recovery")

INTERRUPTED = "Interrupted by a server restart — press Upload FAIR again."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def remove_stale_zips() -> None:
    """Remove the zip folders of worker processes of this host that died (a SIGKILL
    skips the clean-up a finished step does)."""
    for folder in Path(tempfile.gettempdir()).glob("cams-nomad-*-*"):
        pid_text = folder.name.split("-")[2]
        if folder.is_dir() and pid_text.isdigit() and int(pid_text) != os.getpid() \
                and not _pid_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)


def take_over(task: Any, task_dir: str | Path) -> list[int]:
    """Re-arm and enqueue every job whose worker or queue message is gone; their ids."""
    taken = []
    jobs = store.jobs_in(task, leases.ACTIVE)
    # The messages waiting are read after the rows: a job claimed meanwhile is not
    # re-armed (its row changed); one whose message was taken just then gets a second
    # message, which the conditional claim drops.
    queued: set[str] | None = None
    if any(leases.waiting(j) and leases.overdue(j, leases.lease_seconds()) for j in jobs):
        queued = waiting_tickets(task_dir)
    for job in jobs:
        lost = queued is not None and leases.waiting(job) and job["worker"] not in queued
        ticket = leases.rearm(task, job, lost=lost)
        if ticket is None:
            continue
        log.warning("job %s of process %s: worker %s shows no life; queued again",
                    job["id"], job["process"], job["worker"] or "none")
        try:
            enqueue(task_dir, job["id"], ticket)
        except QueueError as err:  # the next sweep re-arms it again
            log.error("job %s could not be queued again: %s", job["id"], err)
            continue
        taken.append(job["id"])
    return taken


def release_stuck(task: Any) -> list[int]:
    """Mark failed (interrupted) every busy process without an active job; their ids."""
    released = []
    for state in store.busy_processes(task):
        job = store.latest_job(task, state.id)
        if job and job["state"] in leases.ACTIVE:
            continue
        status = (NomadStatus.PROCESSED if job and job["action"] == "publish"
                  else NomadStatus.FAILED)
        message = ("Publishing was interrupted; press Publish again."
                   if status == NomadStatus.PROCESSED else INTERRUPTED)
        if store.release_if_stuck(
                task, state.id, status, message, active=leases.ACTIVE,
                log={"user_login": (job or {}).get("user_login") or "",
                     "action": (job or {}).get("action") or "upload",
                     "upload_id": state.upload_id, "outcome": "interrupted",
                     "errors": [error_object(message)]}):
            released.append(state.id)
    return released


def sweep(task: Any, task_dir: str | Path) -> None:
    """One sweep: take over jobs of dead workers, release stuck processes."""
    try:
        take_over(task, task_dir)
        release_stuck(task)
    except store.LeaseLost:
        pass
    except Exception:  # a busy or unreachable database: the next sweep tries again
        log.warning("sweep of NOMAD jobs failed", exc_info=True)
