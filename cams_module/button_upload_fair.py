"""BUTTON_UPLOAD_FAIR and its siblings: what the processes item's server functions do.

`press_upload` checks the argument and the right (owner, or a role granted it), claims the
process (status queued + job row in one transaction) and enqueues the job for a worker
process, which reads, exports, validates, zips and uploads (`lims.prepare`, `lims.jobs`)
— the request returns at once. Refusals and invalid data send nothing, leave the NOMAD status as
it was and are written to the upload log; the errors of invalid data arrive through
`state`. `press_publish` publishes a processed upload (roles
granted it only); `export_for_download` builds the zip without sending it; `state` is what
the progress display polls. Every reply is a plain dict (Contract 8).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from cams_module.lims import job_store as store
from cams_module.lims import leases
from cams_module.lims.job_finish import finish
from cams_module.lims.prepare import (
    disk_message,
    export_document,
    no_room,
    problem_errors,
    profile_name,
    write_zip,
)
from cams_module.lims.queue import QueueError, enqueue
from cams_module.lims.reader import active_layout
from cams_module.lims.rights import User, may_publish, may_upload, session_user
from cams_module.lims.times import to_iso
from cams_module.lims.upload_identity import new_token
from cams_module.lims.upload_job import UploadJob
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import NomadError
from cams_module.status import NomadStatus

__all__ = ["export_for_download", "press_publish", "press_upload", "problem_errors",
           "profile_name", "session_user", "state"]

MAX_EMBARGO_MONTHS = 36
EXPORT_KEEP_SECONDS = 3600
MAX_ID = 2**63 - 1

log = logging.getLogger("cams_module.button_upload_fair")


def _reply(ok: bool, status: NomadStatus | str | None, message: str,
           errors: list | None = None, job_id: int | None = None, **extra: Any) -> dict:
    return {"ok": ok, "status": None if status is None else str(status), "message": message,
            "errors": errors or [], "job_id": job_id, **extra}


def _lookup(task: Any, value: Any, user: User | None, action: str,
            brief: bool = True) -> tuple[Any, str | None]:
    """(the process's state, None), or (None, the sentence why `value` names no process).
    Only a plain positive integer is a process id; refusals are logged on the server.
    `brief`: only id, name, owner, status and upload id are read (one plain SELECT)."""
    who = user.login if user else "anonymous"
    if type(value) is not int:
        shown = repr(value)[:50]
        log.warning("%s by %s refused: %s is not a process id", action, who, shown)
        return None, f"{shown} is not a process id."
    read = store.process_brief if brief else store.process_state
    row = read(task, value) if 0 < value <= MAX_ID else None
    if row is None:
        log.warning("%s by %s refused: no process with id %s", action, who, str(value)[:50])
        return None, f"There is no process with id {value} in CAMS."
    return row, None


def _refuse(task: Any, process_id: int, user: User | None, action: str, status: Any,
            message: str, outcome: str = "refused") -> dict:
    store.append_log(task, process_id, user_login=user.login if user else "", action=action,
                     outcome=outcome, errors=[{"step_position": None, "step_name": None,
                                                 "step_type": None, "field": None,
                                                 "value": None, "message": message}])
    return _reply(False, status, message)


def _nomad_configured() -> str | None:
    """None when NOMAD is configured, else the sentence saying what to set."""

    try:
        NomadConfig.from_env()
    except NomadError as err:
        return f"NOMAD is not configured on the CAMS server: {err.describe()}"
    return None


def _queue(task: Any, job: UploadJob, ticket: str, back_to: NomadStatus) -> str | None:
    """Enqueue the claimed job; None, or the sentence why the queue did not take it (the
    job then ends failed and the process returns to `back_to`)."""
    try:
        enqueue(task.work_dir, job.job_id, ticket)
    except QueueError as err:
        log.error("job %s not queued: %s", job.job_id, err)
        message = (f"CAMS could not hand the job to its NOMAD workers ({err}). Nothing was "
                   "sent; press again once the job queue is back.")
        finish(task, job, back_to, message, outcome="failed")
        return message
    return None


def press_upload(task: Any, process_id: Any, user: User | None) -> dict:
    """BUTTON_UPLOAD_FAIR: check the argument and the right, refuse a busy or published
    process, claim it (status queued + job row, one transaction) and enqueue the job for
    a worker, which reads, exports, validates, zips and uploads. Replies at once; what
    the job finds (invalid data included) arrives through `state`."""
    row, refusal = _lookup(task, process_id, user, "upload")
    if row is None:
        return _reply(False, None, refusal)
    if not may_upload(task, user, row.owner):
        who = user.login if user else "an anonymous user"
        return _refuse(task, process_id, user, "upload", row.status,
                       f"{who} may not upload process '{row.name}' to NOMAD: only its owner "
                       f"({row.owner or 'none'}) or a role granted the upload right may. "
                       "Nothing was sent.")
    if row.status == NomadStatus.PUBLISHED:
        return _refuse(task, process_id, user, "upload", row.status,
                       f"Process '{row.name}' is published on NOMAD (upload {row.upload_id}); "
                       "a published upload is never changed. Nothing was sent.")
    if row.status.busy:
        return _reply(False, row.status,
                      f"An upload of process '{row.name}' is already under way "
                      f"({row.status}); wait for it to finish.")
    missing = _nomad_configured()
    if missing:
        return _refuse(task, process_id, user, "upload", row.status, missing)
    full = no_room()
    if full:
        return _refuse(task, process_id, user, "upload", row.status, full, outcome="failed")
    job = UploadJob(job_id=0, process_id=process_id, process_name=row.name,
                    user_login=user.login, zip_path="", files=[], sha256="",
                    step_files=[], steps={}, upload_id=row.upload_id,
                    previous_status=str(row.status), token=new_token())
    ticket = leases.new_ticket()
    job_id = store.claim(task, process_id, NomadStatus.QUEUED,
                         "Queued: CAMS checks the process, then sends it to NOMAD…",
                         job={"action": "upload", "user_login": user.login,
                              "worker": ticket, "heartbeat": time.time(),
                              "payload": job.payload(), "upload_id": row.upload_id})
    if job_id is None:
        return _reply(False, NomadStatus.QUEUED,
                      f"An upload of process '{row.name}' is already under way; "
                      "wait for it to finish.")
    job.job_id = job_id
    failed = _queue(task, job, ticket, row.status)
    if failed:
        return _reply(False, row.status, failed)
    what = f"update of NOMAD upload {row.upload_id}" if row.upload_id else "upload"
    return _reply(True, NomadStatus.QUEUED,
                  f"Process '{row.name}' is queued: CAMS checks it, then the {what} starts.",
                  job_id=job.job_id)


def press_publish(task: Any, process_id: Any, embargo_months: Any,
                  user: User | None) -> dict:
    """Publish the process's processed upload (irreversible); roles granted it only."""
    row, refusal = _lookup(task, process_id, user, "publish")
    if row is None:
        return _reply(False, None, refusal)
    if not may_publish(task, user):
        who = user.login if user else "an anonymous user"
        return _refuse(task, process_id, user, "publish", row.status,
                       f"{who} may not publish on NOMAD: only roles granted the publish right "
                       "may. Nothing was published.")
    if row.status != NomadStatus.PROCESSED or not row.upload_id:
        return _reply(False, row.status,
                      f"Process '{row.name}' cannot be published: its NOMAD status is "
                      f"'{row.status}'; only a processed upload can be published.")
    if type(embargo_months) is not int or not 0 <= embargo_months <= MAX_EMBARGO_MONTHS:
        return _reply(False, row.status, f"The embargo must be a whole number of months from 0 "
                      f"to {MAX_EMBARGO_MONTHS}, not {repr(embargo_months)[:30]}.")
    missing = _nomad_configured()
    if missing:
        return _refuse(task, process_id, user, "publish", row.status, missing)
    job = UploadJob(job_id=0, process_id=process_id, process_name=row.name,
                    user_login=user.login, zip_path="", files=[], sha256="",
                    step_files=[], steps={}, upload_id=row.upload_id, action="publish",
                    embargo_months=embargo_months)
    ticket = leases.new_ticket()
    job_id = store.claim(task, process_id, NomadStatus.QUEUED, "Waiting to publish…",
                         allowed_from=(NomadStatus.PROCESSED,),
                         job={"action": "publish", "user_login": user.login,
                              "worker": ticket, "heartbeat": time.time(),
                              "payload": job.payload(), "upload_id": row.upload_id,
                              "embargo_months": embargo_months})
    if job_id is None:
        return _reply(False, row.status, f"Process '{row.name}' is busy; try again shortly.")
    job.job_id = job_id
    failed = _queue(task, job, ticket, NomadStatus.PROCESSED)
    if failed:
        return _reply(False, NomadStatus.PROCESSED, failed)
    return _reply(True, NomadStatus.QUEUED,
                  f"Publishing NOMAD upload {row.upload_id} of process '{row.name}'.",
                  job_id=job.job_id)


def _clean_exports(root: Path) -> None:
    limit = time.time() - EXPORT_KEEP_SECONDS
    for folder in root.glob("*"):
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def export_for_download(task: Any, process_id: Any, user: User | None) -> dict:
    """Build the process's NOMAD zip without sending it; reply with its download URL."""
    row, refusal = _lookup(task, process_id, user, "export")
    if row is None:
        return _reply(False, None, refusal)
    if user is None:
        return _reply(False, row.status, "Log in to export a process.")
    _document, result, errors = export_document(task, process_id)
    if errors:
        message = (f"Process '{row.name}' cannot be exported: {len(errors)} problem(s) to fix "
                   "in CAMS. " + " ".join(e["message"] for e in errors))
        return _reply(False, row.status, message, errors)
    root = Path(task.work_dir) / "static" / "exports"
    root.mkdir(parents=True, exist_ok=True)
    _clean_exports(root)
    token = secrets.token_urlsafe(16)
    try:
        path, sha256 = write_zip(result, root / token, row.name)
    except OSError as err:
        shutil.rmtree(root / token, ignore_errors=True)
        return _reply(False, row.status, disk_message(err))
    store.append_log(task, process_id, user_login=user.login, action="export",
                     outcome="exported", files=sorted(result.archives), zip_sha256=sha256)
    return _reply(True, row.status, f"Exported process '{row.name}' ({len(result.archives)} "
                  "archive files); nothing was sent to NOMAD.",
                  url=f"/static/exports/{token}/{path.name}", file_name=path.name)


def _iso(value: Any) -> str | None:
    return to_iso(value) if value else None


def state(task: Any, process_id: Any, user: User | None) -> dict:
    """The process's NOMAD status for the progress display."""
    row, refusal = _lookup(task, process_id, user, "status", brief=False)
    if row is None:
        return {"process_id": None, "status": None, "busy": False, "message": refusal}
    last = store.last_log(task, process_id) or {}
    entries = store.step_entries(task, process_id)
    layout = active_layout()
    position, name = layout.step_fields["position"], layout.step_fields["name"]
    rows = store.steps_item(task).copy(handlers=False)
    rows.set_where(master_id=store.processes_item(task).ID, master_rec_id=process_id)
    rows.set_order_by([position])
    rows.open(fields=["id", position, name, layout.step_type_field])
    steps = [{"id": s.id.value, "position": s.field_by_name(position).value,
              "name": s.field_by_name(name).value,
              "type": s.field_by_name(layout.step_type_field).display_text,
              "entry_id": entries.get(s.id.value, (None, None))[0],
              "link": entries.get(s.id.value, (None, None))[1]} for s in rows]
    return {"process_id": row.id, "name": row.name, "status": str(row.status),
            "busy": row.status.busy, "message": row.message, "upload_id": row.upload_id,
            "link": row.link, "uploaded_at": _iso(row.uploaded_at),
            "published_at": _iso(row.published_at),
            "can_upload": may_upload(task, user, row.owner)
            and row.status != NomadStatus.PUBLISHED,
            "can_publish": may_publish(task, user) and row.status == NomadStatus.PROCESSED,
            "errors": last.get("errors", []) if not row.status.busy and last.get("outcome")
            not in ("processed", "published", "exported") else [],
            "outcome": last.get("outcome"), "steps": steps}
