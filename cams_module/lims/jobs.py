"""NOMAD jobs as short steps run by queue workers, with their state in CAMS.

A press writes the job row (state queued, a queue ticket) and enqueues (job id, ticket);
nothing heavy runs in the web process. A worker takes the job with that ticket
(`leases.acquire`) and runs one short step:

- upload, queued → read, export, validate and zip the process (invalid data: nothing
  sent, status as before the press), then send it: a new upload named with the job's
  identity (`upload_identity`), or the files of the process's upload replaced;
- processing → one look at NOMAD: still processing → the job goes back to the queue
  with a growing delay (until the deadline); done → processed | failed, with entries;
- publish, queued → publish → processing → published.

A worker that dies mid-step stops its heartbeat; any worker's sweep then takes the job
over (`recovery`). State `sending` without an upload id: the upload is looked up by its
identity (found: followed; not found: nothing reached NOMAD, the job starts again);
otherwise the step simply runs again. Each stage is written back in one transaction, and
only while this worker holds the lease.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.profile import load_profile, profile_classes
from cams_module.lims import authors, leases
from cams_module.lims import job_store as store
from cams_module.lims.job_finish import finish, finish_publish, finish_upload
from cams_module.lims.prepare import prepare, profile_name
from cams_module.lims.times import now
from cams_module.lims.upload_identity import new_token, upload_name
from cams_module.lims.upload_job import UploadJob, client_factory, processing_deadline
from cams_module.nomad.errors import NomadError, NomadTimeout, NotFoundError
from cams_module.nomad.schemas import schemas_from_nomad
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.jobs")

#: seconds before the first look at NOMAD's processing; each later look waits GROWTH
#: times longer, at most MAX_POLL
FIRST_POLL = 0.5
GROWTH = 1.6
MAX_POLL = 10.0
#: a process whose NOMAD upload is still busy when its update starts: look again then
SETTLE_POLL = 2.0


def job_from_row(task: Any, row: dict) -> UploadJob:
    """The job as data, from its row (payload, process id, action, user, upload id)."""
    payload = dict(row.get("payload") or {})
    known = set(UploadJob.__dataclass_fields__)
    data = {k: v for k, v in payload.items() if k in known}
    data.update(job_id=row["id"], process_id=row["process"], zip_path="",
                user_login=row.get("user_login") or data.get("user_login") or "",
                upload_id=row.get("upload_id") or data.get("upload_id"),
                embargo_months=row.get("embargo_months") or 0)
    action = row.get("action") or "upload"
    data["action"] = "upload" if action == "resume" else action
    for name, empty in (("files", []), ("sha256", ""), ("step_files", []), ("steps", {}),
                        ("process_name", "")):
        data.setdefault(name, empty)
    if not data["process_name"]:
        state = store.process_state(task, row["process"])
        data["process_name"] = state.name if state else ""
    return UploadJob(**data)


def step(task: Any, job_id: int, ticket: str, worker: str) -> tuple[str, float] | None:
    """Run the job's next step when `ticket` is its current one. Returns (next ticket,
    delay) when the job continues later, None when it ended or is not ours."""
    if not leases.acquire(task, job_id, ticket, worker):
        log.info("job %s: queue message %s is not the job's current one; dropped",
                 job_id, ticket)
        return None
    row = store.job_row(task, job_id)
    job = job_from_row(task, row)
    with leases.holding(job_id, worker):
        try:
            delay = _run(task, job, row["state"], worker)
        except store.LeaseLost:
            log.warning("job %s was taken over by another worker; %s stops", job_id, worker)
            return None
        except Exception as err:  # a dying step must leave a status that says so
            log.exception("NOMAD job %s stopped", job_id)
            message = (f"The NOMAD job stopped unexpectedly ({type(err).__name__}: {err}). "
                       "Press the button again to retry.")
            fallback = (NomadStatus.PROCESSED if job.action == "publish"
                        else NomadStatus.FAILED)
            try:
                finish(task, job, fallback, message, outcome="failed", holder=worker)
            except store.LeaseLost:
                pass
            return None
        finally:
            if job.zip_path:
                shutil.rmtree(Path(job.zip_path).parent, ignore_errors=True)
    if delay is None:
        return None
    following = leases.later(task, job_id, worker, delay)
    return (following, delay) if following else None


def _run(task: Any, job: UploadJob, state: str, worker: str) -> float | None:
    if job.action == "publish":
        if state in ("queued", "sending", "running"):
            return _publish(task, job, worker, again=state != "queued")
        return _poll(task, job, worker)
    if state == "queued":
        return _send(task, job, worker)
    if state in ("sending", "running"):
        if not job.upload_id and job.token:
            found = _own_upload(task, job)
            if found is not None:
                log.info("job %s: NOMAD holds its upload %s; following it", job.job_id,
                         found.upload_id)
                return _processing(task, job, found, worker)
        return _send(task, job, worker)
    return _poll(task, job, worker)


# -- upload ---------------------------------------------------------------------------
def target_schemas(job: UploadJob | None = None) -> Any:
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


def _prepare(task: Any, job: UploadJob, worker: str) -> bool:
    """Read, export, validate and zip the process into `job`; True when there is a zip to
    send. Otherwise (invalid data, no room for the zip) the job ends without sending
    anything: the status returns to what it was before the press."""
    ready = prepare(task, job.process_id, job.process_name,
                    target_schemas=lambda: target_schemas(job))
    if ready.outcome:
        store.write_back(
            task, job.process_id, holder=worker,
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
    return True


def _own_upload(task: Any, job: UploadJob) -> Any:
    """The NOMAD upload this job created (found by its identity name), or None."""
    try:
        found = client_factory(job, task).find_uploads(
            upload_name(job.process_name, job.process_id, job.token))
    except NomadError:
        return None
    return next((u for u in found if not u.published), None)


def _send(task: Any, job: UploadJob, worker: str) -> float | None:
    """Prepare the zip and send it: a new upload, or the files of `job.upload_id`."""
    if not _prepare(task, job, worker):  # invalid data never needs NOMAD
        return None
    client = authors.client_with_room(task, job, worker)  # None: ended before sending
    if client is None:
        return None
    try:
        if job.upload_id and _busy_on_nomad(client, job.upload_id):
            return SETTLE_POLL  # its files cannot change while NOMAD processes them
    except NomadError as err:
        finish(task, job, NomadStatus.FAILED, err.describe(), "failed", holder=worker)
        return None
    job.token = job.token or new_token()
    store.write_back(task, job.process_id, holder=worker,
                     process={"nomad_status": NomadStatus.UPLOADING,
                              "nomad_message": "Sending the files to NOMAD…"},
                     job=(job.job_id, {"state": "sending", "started": now(),
                                       "payload": json.dumps(job.payload())}))
    try:
        upload = None
        if job.upload_id:
            try:
                upload = client.replace_upload_files(job.upload_id, job.zip_path)
            except NotFoundError:
                job.upload_id = None  # the earlier upload is gone on NOMAD: make a new one
        if upload is None:
            upload = client.upload_to_NOMAD(
                job.zip_path, upload_name=upload_name(job.process_name, job.process_id,
                                                      job.token))
    except NomadError as err:
        finish(task, job, NomadStatus.FAILED, err.describe(), "failed", holder=worker)
        return None
    return _processing(task, job, upload, worker)


def _busy_on_nomad(client: Any, upload_id: str) -> bool:
    """True while NOMAD still processes `upload_id` (its files cannot change then)."""
    try:
        return client.check_upload_status(upload_id).process_running
    except NotFoundError:
        return False


def _processing(task: Any, job: UploadJob, upload: Any, worker: str) -> float:
    """NOMAD holds the files: record the upload, look at its processing soon."""
    job.upload_id = upload.upload_id
    job.deadline = time.time() + processing_deadline()
    job.poll_delay = FIRST_POLL
    store.write_back(
        task, job.process_id, holder=worker,
        process={"nomad_status": NomadStatus.PROCESSING, "nomad_upload_id": upload.upload_id,
                 "nomad_link": upload.gui_url or "",
                 "nomad_message": "NOMAD received the files and is processing them…"},
        job=(job.job_id, {"state": "processing", "upload_id": upload.upload_id,
                          "payload": json.dumps(job.payload())}))
    return FIRST_POLL


def _poll(task: Any, job: UploadJob, worker: str) -> float | None:
    """One look at NOMAD: later again while it processes, else the job's end."""
    publish = job.action == "publish"
    try:
        client = client_factory(job, task)
        upload = client.check_upload_status(job.upload_id)
        if upload.process_running:
            if time.time() >= (job.deadline or 0):
                raise NomadTimeout(
                    f"Upload {job.upload_id} is still processing after "
                    f"{processing_deadline():g} s.", upload_id=job.upload_id)
            job.poll_delay = min(MAX_POLL, max(FIRST_POLL, job.poll_delay * GROWTH))
            store.write_back(task, job.process_id, holder=worker,
                             job=(job.job_id, {"payload": json.dumps(job.payload())}))
            return job.poll_delay
        if publish:
            finish_publish(task, job, upload, holder=worker)
            return None
        upload.entries = client.get_upload_entries(job.upload_id)
        authors.name_people(task, job, client, upload)
    except NomadError as err:
        if publish:
            finish(task, job, NomadStatus.PROCESSED,
                   f"Publishing failed; the upload is unchanged. {err.describe()}",
                   outcome="failed", holder=worker)
        else:
            finish(task, job, NomadStatus.FAILED, err.describe(), "failed", holder=worker)
        return None
    finish_upload(task, job, upload,
                  NomadStatus.PROCESSED if upload.succeeded else NomadStatus.FAILED, worker)
    return None


# -- publish --------------------------------------------------------------------------
def _publish(task: Any, job: UploadJob, worker: str, again: bool) -> float | None:
    """Ask NOMAD to publish (`again`: after a takeover, only when it has not begun)."""
    store.write_back(task, job.process_id, holder=worker,
                     process={"nomad_status": NomadStatus.PROCESSING,
                              "nomad_message": "Publishing on NOMAD…"},
                     job=(job.job_id, {"state": "sending", "started": now()}))
    try:
        client = client_factory(job, task)
        current = client.check_upload_status(job.upload_id) if again else None
        if current is not None and current.published and not current.process_running:
            finish_publish(task, job, current, holder=worker)
            return None
        if current is None or not current.process_running:
            client.publish_upload(job.upload_id, embargo_length=job.embargo_months)
    except NomadError as err:
        finish(task, job, NomadStatus.PROCESSED,
               f"Publishing failed; the upload is unchanged. {err.describe()}",
               outcome="failed", holder=worker)
        return None
    job.deadline = time.time() + processing_deadline()
    job.poll_delay = FIRST_POLL
    store.write_back(task, job.process_id, holder=worker,
                     job=(job.job_id, {"state": "processing",
                                       "payload": json.dumps(job.payload())}))
    return FIRST_POLL
