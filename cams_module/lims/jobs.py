"""Background NOMAD jobs inside the jam.py server process, with their state in CAMS.

A press queues a job (a `nomad_jobs` row plus the process status "queued") and returns;
a small thread pool (env `CAMS_NOMAD_WORKERS`, default 2) runs it: read, export, validate
and zip the process (invalid data: nothing sent, status as before the press), then
upload → processing → processed | failed, or publish → published. An upload job begins
only once no press has run for `QUIET_AFTER_PRESS` seconds (at most `MAX_HOLD` later):
the server is one Python process, so a burst of presses is answered before the exports
take the interpreter. Each stage is written back in one transaction
(`job_store.write_back`). A job that raises is marked failed with a message saying so; on
server start (`on_task_loaded`, called by the task's `on_created`) processes left busy by a
dead worker are resumed when NOMAD already holds their upload, otherwise marked failed
with "interrupted by a server restart — press Upload FAIR again".
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.profile import load_profile, profile_classes
from cams_module.lims import job_store as store
from cams_module.lims.prepare import prepare, profile_name
from cams_module.lims.times import now, to_timestamp
from cams_module.lims.upload_errors import entry_errors, error_object
from cams_module.lims.upload_job import UploadJob, client_factory, processing_deadline
from cams_module.nomad.client import CLOCK_SKEW
from cams_module.nomad.errors import NomadError, NotFoundError, ProcessingFailed
from cams_module.nomad.schemas import schemas_from_nomad
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.jobs")

#: this process's worker tag: "<pid>:<random boot id>" (stored on each job it runs)
WORKER = f"{os.getpid()}:{uuid.uuid4().hex[:12]}"
INTERRUPTED = "Interrupted by a server restart — press Upload FAIR again."
INTERRUPTED_UNSENT = ("Interrupted by a server restart before anything was sent to NOMAD — "
                      "press Upload FAIR again.")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_active: set[int] = set()

#: a job starts its CPU-heavy work once no press has run for this long (seconds) …
QUIET_AFTER_PRESS = 0.05
#: … or after waiting this long at most
MAX_HOLD = 1.0
_presses = 0
_last_press = 0.0


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            workers = int(os.environ.get("CAMS_NOMAD_WORKERS", "2") or 2)
            _executor = ThreadPoolExecutor(max_workers=max(1, workers),
                                           thread_name_prefix="cams-nomad-job")
        return _executor


@contextmanager
def pressing() -> Iterator[None]:
    """Mark a press (a web request someone waits for) while it runs. Jobs start their
    CPU-heavy part only when presses are quiet (`yield_to_presses`): the server is one
    Python process, and 50 presses at once should not wait behind 4 exports."""
    global _presses, _last_press
    with _lock:
        _presses += 1
    try:
        yield
    finally:
        with _lock:
            _presses -= 1
            _last_press = time.monotonic()


def yield_to_presses(quiet: float = QUIET_AFTER_PRESS, limit: float = MAX_HOLD) -> None:
    """Wait until no press runs and none ended in the last `quiet` seconds (at most
    `limit` seconds)."""
    end = time.monotonic() + limit
    while True:
        with _lock:
            idle = _presses == 0 and time.monotonic() - _last_press >= quiet
        if idle or time.monotonic() >= end:
            return
        time.sleep(0.01)


def is_running_here(job_id: int) -> bool:
    """True while this process holds the job (queued in the pool or running)."""
    return job_id in _active


def submit(task: Any, job: UploadJob, run) -> None:
    """Hand `run(task, job)` to the worker pool; the job id counts as active at once."""
    with _lock:
        _active.add(job.job_id)

    def guarded() -> None:
        try:
            run(task, job)
        except BaseException as err:  # a dying job must leave a status that says so
            log.exception("NOMAD job %s stopped", job.job_id)
            message = (f"The NOMAD job stopped unexpectedly ({type(err).__name__}: {err}). "
                       "Press the button again to retry.")
            fallback = (NomadStatus.PROCESSED if job.action == "publish"
                        else NomadStatus.FAILED)
            _finish(task, job, fallback, message, outcome="failed")
        finally:
            with _lock:
                _active.discard(job.job_id)
            if job.zip_path:
                shutil.rmtree(Path(job.zip_path).parent, ignore_errors=True)

    _pool().submit(guarded)


# -- the jobs -----------------------------------------------------------------------
def prepare_upload(task: Any, job: UploadJob) -> bool:
    """Read, export, validate and zip the process into `job`; True when there is a zip to
    send. Otherwise (invalid data, no room for the zip) the job ends without sending
    anything: the status returns to what it was before the press, the message and the
    upload log say why, and `state` shows the errors."""
    ready = prepare(task, job.process_id, job.process_name, target_schemas=target_schemas)
    if ready.outcome:
        store.write_back(
            task, job.process_id,
            process={"nomad_status": job.previous_status or NomadStatus.NOT_UPLOADED,
                     "nomad_message": ready.message},
            job=(job.job_id, {"state": ready.outcome, "finished": now(),
                              "message": ready.message}),
            log={"user_login": job.user_login, "action": job.action,
                 "outcome": ready.outcome, "errors": ready.errors})
        return False
    job.zip_path, job.files, job.sha256 = ready.zip_path, ready.files, ready.sha256
    job.step_files, job.steps, job.process_file = (ready.step_files, ready.steps,
                                                   ready.process_file)
    job.extra["lineage"] = ready.lineage
    if not job.upload_id:
        job.adopt_after = _interrupted_upload_time(task, job)
    return True


def target_schemas() -> Any:
    """The receiving NOMAD's own schemas for the export profile (NOMAD 2.x answers
    ``GET /schemas``; cached an hour), or None to keep the shipped snapshot."""
    try:
        profile = load_profile(profile_name())
        choice = schemas_from_nomad(client_factory(), profile.schema_set,
                                    profile_classes(profile))
    except NomadError:  # not configured: the upload itself will say so
        return None
    log.info("export judged by the schemas of %s", choice.source)
    return choice.schemas if choice.from_nomad else None


def _interrupted_upload_time(task: Any, job: UploadJob) -> float | None:
    """When the job before this one was an upload cut off by a restart: the POSIX time it
    was queued (NOMAD may hold its upload, which is then adopted), else None."""
    last = store.latest_job(task, job.process_id, before=job.job_id)
    if not last or last["action"] != "upload" or last["state"] != "interrupted":
        return None
    return to_timestamp(last["created"]) if last["created"] else None


def run_upload(task: Any, job: UploadJob) -> None:
    """Prepare the zip (`prepare_upload`), send it to NOMAD (a new upload, or replace the
    files of `job.upload_id`), wait for processing and write back the result."""
    yield_to_presses()
    if not job.zip_path and not prepare_upload(task, job):
        return
    store.write_back(task, job.process_id,
                     process={"nomad_status": NomadStatus.UPLOADING,
                              "nomad_message": "Sending the files to NOMAD…"},
                     job=(job.job_id, {"state": "running", "started": now(),
                                       "worker": WORKER,
                                       "payload": json.dumps(job.payload())}))
    seen = {"processing": False}

    def progress(stage: str, upload: Any) -> None:
        if stage == "processing" and upload is not None and not seen["processing"]:
            seen["processing"] = True
            job.upload_id = upload.upload_id
            store.write_back(
                task, job.process_id,
                process={"nomad_status": NomadStatus.PROCESSING,
                         "nomad_upload_id": upload.upload_id,
                         "nomad_link": upload.gui_url or "",
                         "nomad_message": "NOMAD received the files and is processing them…"},
                job=(job.job_id, {"upload_id": upload.upload_id}))

    try:
        client = client_factory()
        if not job.upload_id and job.adopt_after:
            job.upload_id = orphaned_upload(client, job)
        if job.upload_id:
            settle(client, job.upload_id)
        try:
            upload = client.upload_file(job.zip_path, upload_name=job.process_name,
                                        upload_id=job.upload_id, progress=progress,
                                        deadline=processing_deadline())
        except NotFoundError:
            if not job.upload_id or seen["processing"]:
                raise
            job.upload_id = None  # the earlier upload is gone on NOMAD: make a new one
            upload = client.upload_file(job.zip_path, upload_name=job.process_name,
                                        progress=progress, deadline=processing_deadline())
    except ProcessingFailed as err:
        _finish_upload(task, job, err.upload, NomadStatus.FAILED)
        return
    except NomadError as err:
        _finish(task, job, NomadStatus.FAILED, _nomad_sentence(err), outcome="failed")
        return
    _finish_upload(task, job, upload, NomadStatus.PROCESSED)


def run_publish(task: Any, job: UploadJob) -> None:
    """Publish the processed upload and wait until NOMAD says it is published."""
    store.write_back(task, job.process_id,
                     process={"nomad_status": NomadStatus.PROCESSING,
                              "nomad_message": "Publishing on NOMAD…"},
                     job=(job.job_id, {"state": "running", "started": now(),
                                       "worker": WORKER}))
    try:
        client = client_factory()
        client.publish_upload(job.upload_id, embargo_length=job.embargo_months)
        upload = client.wait_for_upload_completion(job.upload_id,
                                                   deadline=processing_deadline())
    except NomadError as err:
        _finish(task, job, NomadStatus.PROCESSED,
                f"Publishing failed; the upload is unchanged. {_nomad_sentence(err)}",
                outcome="failed")
        return
    _finish_publish(task, job, upload)


def run_resume(task: Any, job: UploadJob) -> None:
    """After a restart: follow an upload NOMAD already holds until it is done."""
    store.write_back(task, job.process_id,
                     process={"nomad_message": "Following the NOMAD upload again after a "
                                               "server restart…"},
                     job=(job.job_id, {"state": "running", "started": now(),
                                       "worker": WORKER}))
    try:
        client = client_factory()
        upload = client.wait_for_upload_completion(job.upload_id,
                                                   deadline=processing_deadline())
        if upload.published:
            _finish_publish(task, job, upload)
            return
        if job.extra.get("resumed_action") == "publish":
            _finish(task, job, NomadStatus.PROCESSED,
                    "Publishing was interrupted by a server restart; press Publish again.",
                    outcome="interrupted")
            return
        upload.entries = client.get_upload_entries(job.upload_id)
    except NomadError as err:
        _finish(task, job, NomadStatus.FAILED, _nomad_sentence(err), outcome="failed")
        return
    _finish_upload(task, job, upload,
                   NomadStatus.PROCESSED if upload.succeeded else NomadStatus.FAILED)


def settle(client: Any, upload_id: str) -> None:
    """Wait until NOMAD has finished processing `upload_id` (files of an upload cannot
    change while it is processed); a vanished upload is left to the caller."""
    try:
        if client.check_upload_status(upload_id).process_running:
            client.wait_for_upload_completion(upload_id, deadline=processing_deadline())
    except NotFoundError:
        return


def orphaned_upload(client: Any, job: UploadJob) -> str | None:
    """The unpublished NOMAD upload an interrupted earlier job of this process created
    (named like the process, created after that job was queued), or None."""

    try:
        found = client.find_uploads(job.process_name,
                                    created_after=job.adopt_after - CLOCK_SKEW)
    except NomadError:
        return None
    for upload in found:
        if not upload.published:
            log.info("adopting upload %s left by an interrupted job of process %s",
                     upload.upload_id, job.process_id)
            return upload.upload_id
    return None


# -- write-back ---------------------------------------------------------------------
def _nomad_sentence(err: NomadError) -> str:
    return err.describe()


def _match_entries(job: UploadJob, upload: Any) -> dict[int, Any]:
    """Step id -> its NOMAD entry, matched by the export's mainfile."""
    by_file = {}
    for entry in upload.entries:
        by_file[entry.mainfile] = entry
        by_file.setdefault(entry.mainfile.rsplit("/", 1)[-1], entry)
    return {int(step_id): by_file[mainfile] for step_id, mainfile in job.step_files
            if mainfile in by_file}


def _finish_upload(task: Any, job: UploadJob, upload: Any, status: NomadStatus) -> None:
    entries = _match_entries(job, upload)
    steps = {sid: {"nomad_entry_id": e.entry_id, "nomad_entry_link": e.gui_url or ""}
             for sid, e in entries.items()}
    errors = ([] if status == NomadStatus.PROCESSED
              else entry_errors(job.step_files, job.steps, upload))
    if status == NomadStatus.PROCESSED:
        message = (f"Processed by NOMAD: {len(upload.entries)} entries in upload "
                   f"{upload.upload_id}.")
    else:
        message = ("NOMAD could not process the upload. " +
                   " ".join(e["message"] for e in errors)).strip()
        message += " Correct the named values in CAMS and press Upload FAIR again."
    process = {"nomad_status": status, "nomad_upload_id": upload.upload_id,
               "nomad_link": upload.gui_url or "", "nomad_message": message}
    if status == NomadStatus.PROCESSED:
        process["nomad_uploaded_at"] = now()
    store.write_back(
        task, job.process_id, process=process, steps=steps,
        job=(job.job_id, {"state": "done" if status == NomadStatus.PROCESSED else "failed",
                          "finished": now(), "upload_id": upload.upload_id,
                          "message": message}),
        log={"user_login": job.user_login, "action": job.action,
             "upload_id": upload.upload_id, "files": job.files, "zip_sha256": job.sha256,
             "outcome": str(status), "errors": errors})


def _finish_publish(task: Any, job: UploadJob, upload: Any) -> None:
    if not upload.published:
        _finish(task, job, NomadStatus.PROCESSED,
                "NOMAD did not publish the upload: " +
                ("; ".join(upload.errors) or upload.last_status_message or "no reason given"),
                outcome="failed")
        return
    embargo = (f" with an embargo of {job.embargo_months} months" if job.embargo_months
               else " (open access)")
    message = f"Published on NOMAD{embargo}."
    store.write_back(
        task, job.process_id,
        process={"nomad_status": NomadStatus.PUBLISHED, "nomad_published_at": now(),
                 "nomad_message": message},
        job=(job.job_id, {"state": "done", "finished": now(), "message": message}),
        log={"user_login": job.user_login, "action": "publish", "upload_id": job.upload_id,
             "outcome": str(NomadStatus.PUBLISHED), "errors": []})


def _finish(task: Any, job: UploadJob, status: NomadStatus, message: str,
            outcome: str) -> None:
    process = {"nomad_status": status, "nomad_message": message}
    if job.upload_id:
        process["nomad_upload_id"] = job.upload_id
    error = error_object(message)
    store.write_back(
        task, job.process_id, process=process,
        job=(job.job_id, {"state": "failed" if outcome != "interrupted" else "interrupted",
                          "finished": now(), "message": message}),
        log={"user_login": job.user_login, "action": job.action, "upload_id": job.upload_id,
             "files": job.files, "zip_sha256": job.sha256, "outcome": outcome,
             "errors": [error]})
