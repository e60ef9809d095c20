"""BUTTON_UPLOAD_FAIR and its siblings: what the processes item's server functions do.

`press_upload` checks the argument and the right (rights.py: the owner as a Researcher, or
a role granted any upload), claims the process (status queued + job row in one
transaction) and enqueues the job for a worker process (`cams-nomad worker`), which reads,
exports, validates, zips and uploads (`lims.prepare`, `lims.jobs`) — the request returns
at once. Every refusal of an upload, export or publish sends nothing, leaves the NOMAD
status as it was and is an upload log row (who, when, what, why); the errors of invalid
data arrive through `state`. `press_publish` publishes a processed upload (roles granted
it only); `export_for_download` hands the zip to the asking session in its reply
(export_handover); `state` is what the progress display polls. Every reply is a plain
dict (Contract 8).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from cams_module.lims import job_store as store
from cams_module.lims import leases
from cams_module.lims.export_handover import HandoverError, hand_over
from cams_module.lims.job_finish import finish
from cams_module.lims.prepare import (
    disk_message,
    export_document,
    no_room,
    problem_errors,
    profile_name,
)
from cams_module.lims.queue import QueueError, enqueue
from cams_module.lims.reader import active_layout
from cams_module.lims.rights import ACTIONS, User, scope, session_user, why_not
from cams_module.lims.times import to_iso
from cams_module.lims.upload_identity import new_token
from cams_module.lims.upload_job import UploadJob
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import NomadError
from cams_module.status import NomadStatus

__all__ = ["export_for_download", "press_publish", "press_upload", "problem_errors",
           "profile_name", "session_user", "state", "user_rights"]

MAX_EMBARGO_MONTHS = 36
MAX_ID = 2**63 - 1
LOGGED_ACTIONS = ("upload", "export", "publish")

log = logging.getLogger("cams_module.button_upload_fair")


def _reply(ok: bool, status: NomadStatus | str | None, message: str,
           errors: list | None = None, job_id: int | None = None, **extra: Any) -> dict:
    return {"ok": ok, "status": None if status is None else str(status), "message": message,
            "errors": errors or [], "job_id": job_id, **extra}


LINEAGE_JOBS = 20  # publish jobs carry no export: look this far back for the last upload


def _lookup(task: Any, value: Any, user: User | None, action: str,
            brief: bool = True) -> tuple[Any, str | None]:
    """(the process's state, None), or (None, the sentence why `value` names no process).
    Only a plain positive integer is a process id; refusals are logged on the server.
    `brief`: only id, name, owner, status and upload id are read (one plain SELECT)."""
    who = user.login if user else "anonymous"
    if type(value) is not int:
        shown = repr(value)[:50]
        log.warning("%s by %s refused: %s is not a process id", action, who, shown)
        return None, _log_unknown(task, user, action, f"{shown} is not a process id.")
    read = store.process_brief if brief else store.process_state
    row = read(task, value) if 0 < value <= MAX_ID else None
    if row is None:
        log.warning("%s by %s refused: no process with id %s", action, who, str(value)[:50])
        return None, _log_unknown(task, user, action,
                                  f"There is no process with id {str(value)[:50]} in CAMS.")
    return row, None


def _log_unknown(task: Any, user: User | None, action: str, message: str) -> str:
    """An upload log row (no process) for a refused upload, export or publish."""
    if action in LOGGED_ACTIONS:
        store.append_log(task, None, user_login=user.login if user else "", action=action,
                         outcome="refused", message=message,
                         errors=[_error(message)])
    return message


def _error(message: str) -> dict:
    return {"step_position": None, "step_name": None, "step_type": None, "field": None,
            "value": None, "message": message}


def _refuse(task: Any, process_id: int, user: User | None, action: str, status: Any,
            message: str, outcome: str = "refused") -> dict:
    log.warning("%s of process %s by %s %s: %s", action, process_id,
                user.login if user else "anonymous", outcome, message)
    store.append_log(task, process_id, user_login=user.login if user else "", action=action,
                     outcome=outcome, message=message, errors=[_error(message)])
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
    refusal = why_not(user, "upload", row.owner, f"process '{row.name}'")
    if refusal:
        return _refuse(task, process_id, user, "upload", row.status,
                       f"{refusal} Nothing was sent.")
    if row.status == NomadStatus.PUBLISHED:
        return _refuse(task, process_id, user, "upload", row.status,
                       f"Process '{row.name}' is published on NOMAD (upload {row.upload_id}); "
                       "a published upload is never changed. Nothing was sent.")
    if row.status.busy:
        return _refuse(task, process_id, user, "upload", row.status,
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
        return _refuse(task, process_id, user, "upload", NomadStatus.QUEUED,
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
    refusal = why_not(user, "publish", row.owner, f"process '{row.name}'")
    if refusal:
        return _refuse(task, process_id, user, "publish", row.status,
                       f"{refusal} Nothing was published.")
    if row.status != NomadStatus.PROCESSED or not row.upload_id:
        return _refuse(task, process_id, user, "publish", row.status,
                       f"Process '{row.name}' cannot be published: its NOMAD status is "
                       f"'{row.status}'; only a processed upload can be published.")
    if type(embargo_months) is not int or not 0 <= embargo_months <= MAX_EMBARGO_MONTHS:
        return _refuse(task, process_id, user, "publish", row.status,
                       f"The embargo must be a whole number of months from 0 to "
                       f"{MAX_EMBARGO_MONTHS}, not {repr(embargo_months)[:30]}.")
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
        return _refuse(task, process_id, user, "publish", row.status,
                       f"Process '{row.name}' is busy; try again shortly.")
    job.job_id = job_id
    failed = _queue(task, job, ticket, NomadStatus.PROCESSED)
    if failed:
        return _reply(False, NomadStatus.PROCESSED, failed)
    return _reply(True, NomadStatus.QUEUED,
                  f"Publishing NOMAD upload {row.upload_id} of process '{row.name}'.",
                  job_id=job.job_id)


def export_for_download(task: Any, process_id: Any, user: User | None) -> dict:
    """Build the process's NOMAD zip without sending it; the reply hands it to the asking
    session (file_name, zip_base64, sha256); nothing stays on the server."""
    row, refusal = _lookup(task, process_id, user, "export")
    if row is None:
        return _reply(False, None, refusal)
    refusal = why_not(user, "export", row.owner, f"process '{row.name}'")
    if refusal:
        return _refuse(task, process_id, user, "export", row.status, refusal)
    _document, result, errors = export_document(task, process_id)
    if errors:
        message = (f"Process '{row.name}' cannot be exported: {len(errors)} problem(s) to fix "
                   "in CAMS. " + " ".join(e["message"] for e in errors))
        store.append_log(task, process_id, user_login=user.login, action="export",
                         outcome="invalid", message=message.split(". ")[0] + ".",
                         errors=errors)
        return _reply(False, row.status, message, errors)
    try:
        zipped = hand_over(task, result, row.name)
    except (OSError, HandoverError) as err:
        text = str(err) if isinstance(err, HandoverError) else disk_message(err)
        return _refuse(task, process_id, user, "export", row.status, text, outcome="failed")
    store.append_log(task, process_id, user_login=user.login, action="export",
                     outcome="exported", files=sorted(result.archives),
                     zip_sha256=zipped["sha256"])
    return _reply(True, row.status, f"Exported process '{row.name}' ({len(result.archives)} "
                  "archive files); nothing was sent to NOMAD.", **zipped)


def user_rights(user: User | None) -> dict:
    """{login, rights: {action: "any process" | "own processes" | None}} of the logged-in
    user (the client greys out what they may not do; the server checks anyway)."""
    return {"login": user.login if user else None,
            "rights": {action: scope(user, action) for action in ACTIONS}}


def _iso(value: Any) -> str | None:
    return to_iso(value) if value else None


def state(task: Any, process_id: Any, user: User | None) -> dict:
    """The process's NOMAD status for the progress display."""
    row, refusal = _lookup(task, process_id, user, "status", brief=False)
    if row is None:
        return {"process_id": None, "status": None, "busy": False, "message": refusal}
    last = store.last_log(task, process_id, jobs_only=True) or {}
    layout = active_layout()
    position, name = layout.step_fields["position"], layout.step_fields["name"]
    rows = store.steps_item(task).copy(handlers=False, details=False)
    rows.set_where(master_id=store.processes_item(task).ID, master_rec_id=process_id)
    rows.set_order_by([position])
    rows.open(fields=["id", position, name, layout.step_type_field, "nomad_entry_id",
                      "nomad_entry_link"])
    steps = [{"id": s.id.value, "position": s.field_by_name(position).value,
              "name": s.field_by_name(name).value,
              "type": s.field_by_name(layout.step_type_field).display_text,
              "entry_id": s.nomad_entry_id.value or None,
              "link": s.nomad_entry_link.value or None} for s in rows]
    return {"process_id": row.id, "name": row.name, "status": str(row.status),
            "busy": row.status.busy, "message": row.message, "upload_id": row.upload_id,
            "link": row.link, "uploaded_at": _iso(row.uploaded_at),
            "published_at": _iso(row.published_at),
            **_buttons(user, row), "owner": row.owner,
            "errors": last.get("errors", []) if not row.status.busy and last.get("outcome")
            not in ("processed", "published") else [],
            "outcome": last.get("outcome"), "steps": steps}


def lineage(task: Any, process_id: Any, user: User | None) -> dict:
    """Where the CAMS values of the process's last export went, as kept with its upload
    job: counts, the values kept in notes (with why) and the targets to confirm."""
    row, refusal = _lookup(task, process_id, user, "lineage")
    if row is None:
        return {"process_id": None, "lineage": None, "message": refusal}
    if user is None:
        return {"process_id": row.id, "lineage": None,
                "message": "Log in to CAMS to see where the values went."}
    before = None
    for _ in range(LINEAGE_JOBS):
        job = store.latest_job(task, row.id, before)
        if job is None:
            break
        found = (job["payload"].get("extra") or {}).get("lineage")
        if found:
            shown = {k: v for k, v in found.items() if k != "fields"}
            return {"process_id": row.id, "job_id": job["id"], "lineage": shown}
        before = job["id"]
    return {"process_id": row.id, "lineage": None,
            "message": "Not exported yet: press Upload FAIR to see where each value goes."}


def _buttons(user: User | None, row: Any) -> dict:
    """can_upload/can_export/can_publish, and `why_not`: the tooltip of each button the
    user may not use (NOMAD buttons, and the list's Edit and Delete)."""
    what = f"process '{row.name}'"
    reasons = {action: why_not(user, action, row.owner, what)
               for action in ("upload", "export", "publish", "edit", "delete")}
    if not reasons["upload"] and row.status == NomadStatus.PUBLISHED:
        reasons["upload"] = "Published on NOMAD: a published upload is never changed."
    elif not reasons["upload"] and row.status.busy:
        reasons["upload"] = f"An upload is under way ({row.status})."
    if not reasons["publish"] and row.status != NomadStatus.PROCESSED:
        reasons["publish"] = "Only a processed upload can be published."
    return {"can_upload": not reasons["upload"], "can_export": not reasons["export"],
            "can_publish": not reasons["publish"],
            "why_not": {a: r for a, r in reasons.items() if r}}
