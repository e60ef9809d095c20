"""Who an upload job sends as, NOMAD's unpublished-upload wall, and the people it names.

- `client_with_room`: before anything is exported or sent, the job's NOMAD client (the
  pressing user's own token when linked, else the facility's account: `client_factory`)
  asks NOMAD whose account it is and, for a new upload, how many unpublished uploads that
  account holds. A refused token or a full account ends the job at once: nothing is sent,
  the status returns to what it was, and the message names what to do (renew the token on
  the "My NOMAD account" page; publish or delete the listed uploads).
- `name_people`: after NOMAD processed the upload, the process's owner and the steps'
  operators who linked a NOMAD account are made coauthors (the main author is the account
  that sent it), and the job's message says as whom it was sent.
"""

from __future__ import annotations

import logging
from typing import Any

from cams_module.lims import accounts
from cams_module.lims import job_store as store
from cams_module.lims.accounts import AccountError
from cams_module.lims.reader import read_process
from cams_module.lims.times import now
from cams_module.lims.upload_errors import error_object
from cams_module.lims.upload_job import UploadJob, client_factory, renew_sentence
from cams_module.nomad.client import NomadClient
from cams_module.nomad.errors import AccessDenied, AuthenticationError, NomadError
from cams_module.nomad.people import NomadPerson, person_behind, unpublished_uploads, upload_limit
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.authors")

#: the job and upload log outcome of a press stopped by NOMAD's unpublished-upload limit
LIMIT_OUTCOME = "limit"

def _refuse(task: Any, job: UploadJob, worker: str | None, message: str,
            errors: list[dict] | None = None, outcome: str = "failed") -> None:
    """End the job before anything was sent, with the message, a job row and an upload log
    row saying why. At the limit: the status as before the press; failed (token refused,
    NOMAD unreachable, no key): status failed, as any failed job."""
    status = (job.previous_status or NomadStatus.NOT_UPLOADED) if outcome == LIMIT_OUTCOME \
        else NomadStatus.FAILED
    process = {"nomad_status": status, "nomad_message": message}
    if job.upload_id:
        process["nomad_upload_id"] = job.upload_id
    store.write_back(
        task, job.process_id, process=process, holder=worker,
        job=(job.job_id, {"state": outcome, "finished": now(), "message": message}),
        log={"user_login": job.user_login, "action": job.action, "outcome": outcome,
             "upload_id": job.upload_id, "errors": errors or [error_object(message)]})


def _as_whom(account: accounts.LinkedAccount | None, person: NomadPerson, login: str) -> str:
    if account is not None:
        return f"NOMAD account {person.shown} ({login}'s own)"
    return f"the facility's NOMAD account {person.shown}"


def client_with_room(task: Any, job: UploadJob,
                     worker: str | None = None) -> NomadClient | None:
    """The job's NOMAD client when NOMAD accepts its account and (for a new upload) the
    account has room for one more unpublished upload; otherwise None, the job ended."""
    login = job.user_login
    try:
        account = accounts.linked(task, login)
        client = client_factory(job, task)
    except AccountError as err:
        _refuse(task, job, worker, f"Not sent to NOMAD: {err}", outcome="failed")
        return None
    except NomadError as err:
        _refuse(task, job, worker, f"Not sent to NOMAD: {err.describe()}", outcome="failed")
        return None
    try:
        person = person_behind(client)
        if job.upload_id or person.is_admin:
            return client
        uploads, total = unpublished_uploads(client)
        limit = upload_limit()
    except AuthenticationError as err:
        client.close()
        if isinstance(err, AccessDenied) or account is None:
            _refuse(task, job, worker, f"Not sent to NOMAD: {err.describe()}",
                    outcome="failed")
            return None
        accounts.mark_refused(task, login)
        log.warning("NOMAD refused the token linked by %s", login)
        _refuse(task, job, worker, f"Not sent to NOMAD: NOMAD refused the token {login} "
                f"linked for NOMAD account {account.shown} (expired or revoked). "
                + renew_sentence(login), outcome="failed")
        return None
    except NomadError as err:
        client.close()
        _refuse(task, job, worker, f"Not sent to NOMAD: {err.describe()}", outcome="failed")
        return None
    job.extra["sent_as"] = _as_whom(account, person, login)
    if total < limit:
        return client
    client.close()
    shown = "the facility's NOMAD account" if account is None else "your NOMAD account"
    message = (f"Not sent to NOMAD: {shown} {person.shown} already holds {total} unpublished "
               f"uploads, the most NOMAD allows ({limit}). Publish or delete some of them in "
               "NOMAD (listed below), then press Upload FAIR again.")
    errors = [_upload_line(u) for u in uploads]
    _refuse(task, job, worker, message, errors, outcome=LIMIT_OUTCOME)
    return None


def _upload_line(upload: Any) -> dict:
    """One unpublished upload as an error object with its NOMAD link."""
    made = (upload.upload_create_time or "")[:16].replace("T", " ")
    name = upload.upload_name or upload.upload_id
    entry = error_object(f"Unpublished upload '{name}' ({upload.upload_id}, created {made} "
                         f"UTC, {upload.entry_count} entries): {upload.gui_url}")
    entry["link"] = upload.gui_url
    return entry


def process_people(task: Any, process_id: int) -> list[str]:
    """The CAMS logins of a process's owner and its steps' operators (owner first)."""
    try:
        document = read_process(task, process_id)
    except ValueError:
        return []
    logins = [document["process"].get("owner")]
    logins += [step.get("operator") for step in document.get("steps", [])]
    return list(dict.fromkeys(login for login in logins if isinstance(login, str) and login))


def name_people(task: Any, job: UploadJob, client: NomadClient, upload: Any) -> None:
    """Make the process's owner and operators with linked NOMAD accounts coauthors of the
    upload (keeping coauthors already there); note as whom it was sent in the job. Never
    fails the job: what could not be done is said in its message."""
    try:
        _name_people(task, job, client, upload)
    except Exception:  # the upload itself is done; bookkeeping must not undo that
        log.exception("coauthors of upload %s not set", upload.upload_id)
        job.extra["people"] = " CAMS could not add the coauthors; add them in NOMAD."


def _name_people(task: Any, job: UploadJob, client: NomadClient, upload: Any) -> None:
    logins = process_people(task, job.process_id)
    links = accounts.links_of(task, logins)
    main = getattr(upload, "main_author", None)
    wanted = {a.nomad_user_id: a for login, a in links.items()
              if a.nomad_user_id and a.nomad_user_id != main}
    current = list(getattr(upload, "coauthors", None) or [])
    missing = [uid for uid in wanted if uid not in current]
    note = job.extra.get("sent_as")
    named = [wanted[uid].shown for uid in wanted]
    if missing:
        try:
            client.edit_upload_metadata(upload.upload_id, coauthors=current + missing)
        except NomadError as err:
            log.warning("coauthors of upload %s not set: %s", upload.upload_id, err.message)
            named = []
            job.extra["people"] = (f" NOMAD did not add the coauthors ({err.message}); add "
                                   "them in NOMAD.")
    parts = []
    if note:
        parts.append(f"Sent as {note}")
    if named:
        parts.append("coauthors: " + ", ".join(named))
    if parts:
        job.extra["people"] = " " + "; ".join(parts) + "." + job.extra.get("people", "")


def people_note(job: UploadJob) -> str:
    """' Sent as …; coauthors: ….' for the job's final message ('' when unknown)."""
    return str(job.extra.get("people") or "")
