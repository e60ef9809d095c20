"""How a NOMAD job ends: the process status, step entries, job row and upload log row
written in one transaction — only while the finishing worker still holds the job."""

from __future__ import annotations

from typing import Any

from cams_module.lims import job_store as store
from cams_module.lims.times import now
from cams_module.lims.upload_errors import entry_errors, error_object
from cams_module.lims.upload_job import UploadJob
from cams_module.status import NomadStatus


def match_entries(job: UploadJob, upload: Any) -> dict[int, Any]:
    """Step id -> its NOMAD entry, matched by the export's mainfile."""
    by_file = {}
    for entry in upload.entries:
        by_file[entry.mainfile] = entry
        by_file.setdefault(entry.mainfile.rsplit("/", 1)[-1], entry)
    return {int(step_id): by_file[mainfile] for step_id, mainfile in job.step_files
            if mainfile in by_file}


def finish_upload(task: Any, job: UploadJob, upload: Any, status: NomadStatus,
                  holder: str | None) -> None:
    """NOMAD finished processing: processed (entry ids and links on the steps) or failed
    (the entry errors named by step and field)."""
    entries = match_entries(job, upload)
    steps = {sid: {"nomad_entry_id": e.entry_id, "nomad_entry_link": e.gui_url or ""}
             for sid, e in entries.items()}
    errors = ([] if status == NomadStatus.PROCESSED
              else entry_errors(job.step_files, job.steps, upload))
    if status == NomadStatus.PROCESSED:
        message = (f"Processed by NOMAD: {len(upload.entries)} entries in upload "
                   f"{upload.upload_id}.{job.extra.get('people') or ''}")
    else:
        message = ("NOMAD could not process the upload. " +
                   " ".join(e["message"] for e in errors)).strip()
        message += " Correct the named values in CAMS and press Upload FAIR again."
    process = {"nomad_status": status, "nomad_upload_id": upload.upload_id,
               "nomad_link": upload.gui_url or "", "nomad_message": message}
    if status == NomadStatus.PROCESSED:
        process["nomad_uploaded_at"] = now()
    store.write_back(
        task, job.process_id, process=process, steps=steps, holder=holder,
        job=(job.job_id, {"state": "done" if status == NomadStatus.PROCESSED else "failed",
                          "finished": now(), "upload_id": upload.upload_id,
                          "message": message}),
        log={"user_login": job.user_login, "action": job.action,
             "upload_id": upload.upload_id, "files": job.files, "zip_sha256": job.sha256,
             "outcome": str(status), "errors": errors})


def finish_publish(task: Any, job: UploadJob, upload: Any, holder: str | None) -> None:
    """NOMAD answered the publication: published, or back to processed saying why not."""
    if not upload.published:
        finish(task, job, NomadStatus.PROCESSED,
               "NOMAD did not publish the upload: " +
               ("; ".join(upload.errors) or upload.last_status_message or "no reason given"),
               outcome="failed", holder=holder)
        return
    embargo = (f" with an embargo of {job.embargo_months} months" if job.embargo_months
               else " (open access)")
    message = f"Published on NOMAD{embargo}."
    store.write_back(
        task, job.process_id, holder=holder,
        process={"nomad_status": NomadStatus.PUBLISHED, "nomad_published_at": now(),
                 "nomad_message": message},
        job=(job.job_id, {"state": "done", "finished": now(), "message": message}),
        log={"user_login": job.user_login, "action": "publish", "upload_id": job.upload_id,
             "outcome": str(NomadStatus.PUBLISHED), "errors": []})


def finish(task: Any, job: UploadJob, status: NomadStatus, message: str, outcome: str,
           holder: str | None = None) -> None:
    """End the job without a NOMAD result: the process gets `status` and `message`, the
    job row and the upload log say `outcome` (failed, invalid, interrupted)."""
    process = {"nomad_status": status, "nomad_message": message}
    if job.upload_id:
        process["nomad_upload_id"] = job.upload_id
    error = error_object(message)
    state = "interrupted" if outcome == "interrupted" else "failed"
    store.write_back(
        task, job.process_id, process=process, holder=holder,
        job=(job.job_id, {"state": state, "finished": now(), "message": message}),
        log={"user_login": job.user_login, "action": job.action, "upload_id": job.upload_id,
             "files": job.files, "zip_sha256": job.sha256, "outcome": outcome,
             "errors": [error]})
