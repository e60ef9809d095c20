"""`NomadClient`: one NOMAD installation, one HTTP session, one token.

Upload an export zip, follow its processing, list entries, publish or delete it.
`cams_module.api_collection` keeps the seed's function names over it. See
docs/nomad-client.md.
"""

from __future__ import annotations

import logging
import os
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import (
    NomadError,
    NomadTimeout,
    NomadUnavailable,
    NotFoundError,
    ProcessingFailed,
    RequestRejected,
)
from cams_module.nomad.models import Dataset, Entry, Upload, entry_gui_url, upload_gui_url
from cams_module.nomad.poll import PollPolicy
from cams_module.nomad.retry import RetryPolicy, retry_after_seconds
from cams_module.nomad.session import NomadHttp

log = logging.getLogger("cams_module.nomad")

Progress = Callable[[str, Upload | None], None]

#: default overall deadline for waiting on processing (seconds)
DEFAULT_DEADLINE = 900.0
#: tolerance when matching an upload's creation time against our own clock (seconds)
CLOCK_SKEW = 5.0
ENTRIES_PAGE_SIZE = 200


def _quote(part: str) -> str:
    return quote(str(part), safe="")


def parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # NOMAD stores UTC
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class NomadClient:
    """One NOMAD installation, one session, one (reused) token."""

    def __init__(self, config: NomadConfig | None = None, *, retry: RetryPolicy | None = None,
                 poll: PollPolicy | None = None, session: Any = None) -> None:
        self.config = config if config is not None else NomadConfig.from_env()
        self.http = NomadHttp(self.config, retry=retry, session=session)
        self.poll = poll or PollPolicy()

    def __repr__(self) -> str:
        return f"NomadClient(url={self.config.url!r})"

    def __enter__(self) -> NomadClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.session.close()

    # -- links ------------------------------------------------------------------------
    def upload_url(self, upload_id: str) -> str:
        """NOMAD GUI link of an upload."""
        return upload_gui_url(self.config.gui_url, upload_id)

    def entry_url(self, upload_id: str, entry_id: str) -> str:
        """NOMAD GUI link of an entry."""
        return entry_gui_url(self.config.gui_url, upload_id, entry_id)

    def _upload(self, data: dict[str, Any]) -> Upload:
        return Upload.from_api(data, self.config.gui_url)

    # -- authentication ---------------------------------------------------------------
    def get_authentication_token(self) -> str:
        """The access token: the configured one, or one obtained by logging in (reused)."""
        return self.http.token()

    def whoami(self) -> dict[str, Any]:
        """The account NOMAD sees behind the credentials (GET /users/me)."""
        return self.http.call("GET", "/users/me", action="read the current user")

    # -- uploads ----------------------------------------------------------------------
    def upload_to_NOMAD(self, zip_path: str | os.PathLike[str], *,  # noqa: N802
                        upload_name: str | None = None, embargo_length: int = 0) -> Upload:
        """Create an upload from a zip, streamed from disk (POST /uploads).

        The creating POST is never repeated blindly: when its answer is lost, the upload
        is looked up by name first, so an upload is never created twice.
        """
        path = _existing_file(zip_path)
        name = upload_name or path.stem
        params = {"upload_name": name, "file_name": path.name, "embargo_length": embargo_length}
        action = f"create upload '{name}' from {path.name}"
        self.http.token()  # log in before the clock for "created after" starts
        attempt = 0
        with open(path, "rb") as stream:
            while True:
                attempt += 1
                stream.seek(0)
                started = time.time() + self.http.clock_offset
                try:
                    data = self.http.call(
                        "POST", "/uploads", action=action, params=params,
                        body=stream, timeout=self.config.upload_timeout,
                        headers={"Content-Type": "application/octet-stream"},
                    )
                    return self._upload(data.get("data") or {"upload_id": data["upload_id"]})
                except NomadUnavailable as err:
                    if attempt >= self.http.retry.attempts:
                        raise
                    pause = self.http.retry.wait(attempt, retry_after_seconds(err.response))
                    log.info("answer to creating upload '%s' lost (%s); checking by name",
                             name, err.message)
                    time.sleep(pause)
                    found = self.find_uploads(name, created_after=started - CLOCK_SKEW)
                    if found:
                        log.info("upload '%s' exists as %s; not creating it again",
                                 name, found[0].upload_id)
                        return found[0]

    def add_files(self, upload_id: str, zip_path: str | os.PathLike[str], *,
                  directory: str = "") -> Upload:
        """Add or replace files of an unpublished upload from a zip (PUT /uploads/{id}/raw/).

        Files with the same path are overwritten; NOMAD then reprocesses the upload.
        """
        path = _existing_file(zip_path)
        with open(path, "rb") as stream:
            data = self.http.call(
                "PUT", f"/uploads/{_quote(upload_id)}/raw/{quote(directory)}",
                action=f"replace the files of upload {upload_id} with {path.name}",
                params={"file_name": path.name}, body=stream,
                timeout=self.config.upload_timeout,
                headers={"Content-Type": "application/octet-stream"},
            )
        return self._upload(data.get("data") or {"upload_id": upload_id})

    def replace_upload_files(self, upload_id: str, zip_path: str | os.PathLike[str]) -> Upload:
        """Make an unpublished upload hold exactly the zip's entries: entries whose mainfile
        is not in the zip are deleted first (without reprocessing), then the zip is added."""
        path = _existing_file(zip_path)
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
        entries, current = self._entries_and_upload(upload_id)
        if current is not None and current.published:
            raise RequestRejected(
                f"Upload {upload_id} is published; NOMAD never changes published uploads.",
                hint="Upload the new export as a new upload (without the upload id).",
            )
        if current is not None and current.process_running:
            raise RequestRejected(
                f"Upload {upload_id} is still being processed; its files cannot change now.",
                hint=f"Wait until `cams-nomad status {upload_id}` shows it finished, "
                "then try again.",
            )
        for entry in entries:
            if entry.mainfile in names or not entry.mainfile.endswith(".archive.json"):
                continue
            try:
                self.http.call(
                    "DELETE", f"/uploads/{_quote(upload_id)}/raw/{quote(entry.mainfile)}",
                    action=f"remove {entry.mainfile}, no longer exported, from upload "
                    f"{upload_id}", params={"trigger_processing": "false"},
                )
            except NotFoundError:
                if self.http.last_attempts == 1:
                    raise
        return self.add_files(upload_id, path)

    def check_upload_status(self, upload_id: str) -> Upload:
        """The upload's current state (GET /uploads/{id})."""
        data = self.http.call("GET", f"/uploads/{_quote(upload_id)}",
                              action=f"read upload {upload_id}")
        return self._upload(data.get("data") or {})

    def wait_for_upload_completion(self, upload_id: str, *, deadline: float = DEFAULT_DEADLINE,
                                   progress: Progress | None = None) -> Upload:
        """Poll until processing stops; NomadTimeout after `deadline` seconds."""
        end = time.monotonic() + deadline
        for pause in self.poll.intervals():
            now = time.monotonic()
            if now >= end:
                break
            time.sleep(min(pause, end - now))
            upload = self.check_upload_status(upload_id)
            if progress:
                progress("processing", upload)
            if not upload.process_running:
                return upload
        raise NomadTimeout(
            f"Upload {upload_id} is still processing after {deadline:g} s.",
            upload_id=upload_id,
            hint=f"NOMAD keeps processing in the background: check later with "
            f"`cams-nomad status {upload_id}` or open {self.upload_url(upload_id)}",
        )

    def get_upload_entries(self, upload_id: str) -> list[Entry]:
        """Every entry of the upload with its status, errors and warnings (all pages)."""
        return self._entries_and_upload(upload_id)[0]

    def _entries_and_upload(self, upload_id: str) -> tuple[list[Entry], Upload | None]:
        """All entries, and the upload as the first entries page reports it."""
        entries: list[Entry] = []
        upload: Upload | None = None
        params: dict[str, Any] = {"page_size": ENTRIES_PAGE_SIZE}
        action = f"list the entries of upload {upload_id}"
        for _ in range(10_000):
            data = self.http.call("GET", f"/uploads/{_quote(upload_id)}/entries",
                                  action=action, params=params)
            if upload is None and isinstance(data.get("upload"), dict):
                upload = self._upload(data["upload"])
            page = data.get("data") or []
            entries.extend(Entry.from_api(e, self.config.gui_url) for e in page)
            pagination = data.get("pagination") or {}
            after = pagination.get("next_page_after_value")
            total = pagination.get("total")
            if not page or not after or (isinstance(total, int) and len(entries) >= total):
                break
            params = {"page_size": ENTRIES_PAGE_SIZE, "page_after_value": after}
        return entries, upload

    def find_uploads(self, upload_name: str | None = None, *,
                     created_after: float | None = None) -> list[Upload]:
        """Your uploads, optionally only those named `upload_name` and created after a
        POSIX time (server clock); newest first."""
        params: dict[str, Any] = {"page_size": 100, "order_by": "upload_create_time",
                                  "order": "desc"}
        if upload_name is not None:
            params["upload_name"] = upload_name
        data = self.http.call("GET", "/uploads", action="list your uploads", params=params)
        uploads = [self._upload(u) for u in data.get("data") or []]
        if upload_name is not None:
            uploads = [u for u in uploads if u.upload_name == upload_name]
        if created_after is not None:
            uploads = [u for u in uploads
                       if (parse_time(u.upload_create_time) or 0.0) >= created_after]
        uploads.sort(key=lambda u: parse_time(u.upload_create_time) or 0.0, reverse=True)
        return uploads

    def delete_upload(self, upload_id: str) -> Upload | None:
        """Delete an unpublished upload (DELETE /uploads/{id}); None if it was gone already
        after a retried call."""
        try:
            data = self.http.call("DELETE", f"/uploads/{_quote(upload_id)}",
                                  action=f"delete upload {upload_id}")
        except NotFoundError:
            if self.http.last_attempts > 1:  # our first, lost try did it
                return None
            raise
        return self._upload(data.get("data") or {"upload_id": upload_id})

    def publish_upload(self, upload_id: str, *, embargo_length: int = 0) -> Upload:
        """Publish a processed upload (irreversible). With a lost answer, the upload is read
        back before the request is tried again."""
        action = f"publish upload {upload_id}"
        path = f"/uploads/{_quote(upload_id)}/action/publish"
        attempt = 0
        while True:
            attempt += 1
            try:
                data = self.http.call("POST", path, action=action,
                                      params={"embargo_length": embargo_length})
                return self._upload(data.get("data") or {"upload_id": upload_id})
            except NomadUnavailable as err:
                if attempt >= self.http.retry.attempts:
                    raise
                time.sleep(self.http.retry.wait(attempt, retry_after_seconds(err.response)))
                current = self.check_upload_status(upload_id)
                if current.published or current.process_running:
                    return current

    def edit_upload_metadata(self, upload_id: str, *, upload_name: str | None = None,
                             comment: str | None = None, references: list[str] | None = None,
                             coauthors: list[str] | None = None,
                             datasets: list[str] | None = None) -> Upload:
        """Set upload metadata (POST /uploads/{id}/edit). Lists replace the old values;
        coauthors are NOMAD user ids, datasets are dataset ids."""
        metadata: dict[str, Any] = {}
        for key, value in (("upload_name", upload_name), ("comment", comment)):
            if value is not None:
                metadata[key] = value
        for key, value in (("references", references), ("coauthors", coauthors),
                           ("datasets", datasets)):
            if value is not None:
                metadata[key] = {"set": list(value)}
        if not metadata:
            raise ValueError("edit_upload_metadata needs at least one value to set")
        data = self.http.call(
            "POST", f"/uploads/{_quote(upload_id)}/edit",
            action=f"edit the metadata ({', '.join(metadata)}) of upload {upload_id}",
            json={"metadata": metadata},
        )
        return self._upload(data.get("data") or {"upload_id": upload_id})

    def create_dataset(self, dataset_name: str) -> Dataset:
        """Create a dataset owned by you (POST /datasets)."""
        data = self.http.call("POST", "/datasets", action=f"create dataset '{dataset_name}'",
                              json={"dataset_name": dataset_name, "dataset_type": "owned"})
        return Dataset.from_api(data.get("data") or {"dataset_id": data.get("dataset_id", "")})

    def get_schema(self, m_def: str) -> dict[str, Any]:
        """A class's JSON Schema as NOMAD 2.x serves it (GET /schemas/{m_def}?format=jsonschema)."""
        data = self.http.call("GET", f"/schemas/{_quote(m_def)}",
                              action=f"read the schema of {m_def}", auth=None,
                              params={"format": "jsonschema"})
        if not isinstance(data, dict):
            raise NomadError(f"NOMAD answered the schema of {m_def} with a non-object.")
        return data

    # -- the pipeline -----------------------------------------------------------------
    def upload_file(self, zip_path: str | os.PathLike[str], *, upload_name: str | None = None,
                    upload_id: str | None = None, publish: bool = False,
                    embargo_length: int = 0, delete_on_failure: bool = False,
                    progress: Progress | None = None,
                    deadline: float = DEFAULT_DEADLINE) -> Upload:
        """Upload (or update `upload_id`), wait, fetch entries, optionally publish.

        With `upload_id`, the upload's files are replaced (see `replace_upload_files`), so a
        re-export updates the same upload.

        Raises ProcessingFailed when the upload or any entry failed (after deleting an upload
        created here when `delete_on_failure`), NomadTimeout when processing outlasts
        `deadline` seconds, and the other NomadErrors for HTTP failures.
        """
        _existing_file(zip_path)
        self.get_authentication_token()
        if progress:
            progress("uploading", None)
        if upload_id:
            upload = self.replace_upload_files(upload_id, zip_path)
            if upload_name and upload.upload_name != upload_name:
                self.edit_upload_metadata(upload_id, upload_name=upload_name)
        else:
            upload = self.upload_to_NOMAD(zip_path, upload_name=upload_name,
                                          embargo_length=embargo_length)
        if progress:
            progress("processing", upload)
        started = time.monotonic()
        upload = self.wait_for_upload_completion(upload.upload_id, deadline=deadline,
                                                 progress=progress)
        upload.entries = self.get_upload_entries(upload.upload_id)
        if not upload.succeeded:
            failure = ProcessingFailed(upload, upload.failed_entries)
            if delete_on_failure and not upload_id:
                try:
                    self.delete_upload(upload.upload_id)
                except NomadError as err:
                    log.warning("could not delete failed upload %s: %s",
                                upload.upload_id, err.message)
            raise failure
        if publish:
            entries = upload.entries
            self.publish_upload(upload.upload_id, embargo_length=embargo_length)
            remaining = max(1.0, deadline - (time.monotonic() - started))
            upload = self.wait_for_upload_completion(upload.upload_id, deadline=remaining,
                                                     progress=progress)
            upload.entries = entries
        return upload


def _existing_file(path: str | os.PathLike[str]) -> Path:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"The file to upload, {file}, does not exist.")
    return file
