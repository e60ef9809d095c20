"""The stand-in's records (users, uploads, entries, datasets) and their NOMAD JSON shapes."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PARSER_NAME = "parsers/archive"
LICENSE = "CC BY 4.0"


def now() -> str:
    """The current UTC time as NOMAD prints it (ISO 8601, no offset)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


def new_id() -> str:
    """A random 22-character URL-safe id, like NOMAD's upload and dataset ids."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def entry_id_for(upload_id: str, mainfile: str) -> str:
    """A stable 28-character entry id derived from upload id and mainfile."""
    digest = hashlib.sha512(f"{upload_id}/{mainfile}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:28]


@dataclass
class User:
    username: str
    password: str = field(repr=False)
    full_name: str = ""

    @classmethod
    def from_entry(cls, username: str, value: str | dict[str, str]) -> User:
        """A user from the users file: a password, or {"password", "name"}."""
        if isinstance(value, dict):
            return cls(username, value["password"], value.get("name") or "")
        return cls(username, value)

    @property
    def user_id(self) -> str:
        """A stable user id derived from the username."""
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{self.username}.standin.invalid"))

    @property
    def email(self) -> str:
        return f"{self.username}@standin.invalid"

    def to_json(self) -> dict[str, Any]:
        """The ``User`` shape of ``GET /users/me``."""
        return {
            "user_id": self.user_id,
            "username": self.username,
            "name": self.full_name or self.username,
            "first_name": (self.full_name.split(" ", 1)[0] if self.full_name
                           else self.username),
            "last_name": (self.full_name.split(" ", 1)[-1] if " " in self.full_name
                          else "(stand-in user)"),
            "email": self.email,
            "affiliation": "local NOMAD stand-in",
            "is_admin": False,
            "is_oasis_admin": False,
        }


@dataclass
class Entry:
    entry_id: str
    upload_id: str
    mainfile: str
    entry_create_time: str = field(default_factory=now)
    process_status: str = "PENDING"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete_time: str | None = None
    entry_name: str | None = None
    m_def: str | None = None

    @property
    def failed(self) -> bool:
        return self.process_status == "FAILURE"

    def to_json(self, upload: Upload) -> dict[str, Any]:
        """The ``EntryProcData`` shape."""
        meta = upload.metadata
        return {
            "process_running": self.process_status in ("PENDING", "RUNNING"),
            "current_process": "process_entry",
            "process_status": self.process_status,
            "last_status_message": "Process process_entry completed successfully"
            if self.process_status == "SUCCESS"
            else ("Process process_entry failed" if self.failed else "Waiting for processing"),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "complete_time": self.complete_time,
            "entry_id": self.entry_id,
            "entry_create_time": self.entry_create_time,
            "mainfile": self.mainfile,
            "upload_id": self.upload_id,
            "parser_name": PARSER_NAME,
            "entry_metadata": {
                "entry_id": self.entry_id,
                "upload_id": self.upload_id,
                "mainfile": self.mainfile,
                "entry_name": self.entry_name or self.mainfile.rsplit("/", 1)[-1],
                "entry_type": (self.m_def or "").rsplit(".", 1)[-1] or None,
                "parser_name": PARSER_NAME,
                "processed": not self.failed,
                "published": upload.published,
                "with_embargo": upload.with_embargo,
                "comment": meta.get("comment"),
                "references": meta.get("references") or None,
                "datasets": [{"dataset_id": d} for d in meta.get("datasets", [])] or None,
                "external_id": meta.get("external_id"),
            },
        }


@dataclass
class Upload:
    upload_id: str
    main_author: str  # username
    main_author_id: str
    directory: Path
    upload_name: str | None = None
    upload_create_time: str = field(default_factory=now)
    embargo_length: int = 0
    publish_directly: bool = False
    process_status: str = "READY"
    process_running: bool = False
    current_process: str | None = None
    last_status_message: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete_time: str | None = None
    publish_time: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)  # entry_id -> Entry
    metadata: dict[str, Any] = field(default_factory=dict)
    coauthors: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    generation: int = 0  # bumped on every (re)processing; stale workers compare it

    @property
    def raw_dir(self) -> Path:
        return self.directory / "raw"

    @property
    def published(self) -> bool:
        return self.publish_time is not None

    @property
    def with_embargo(self) -> bool:
        return self.embargo_length > 0

    def failed_entries(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.failed]

    def can_read(self, user_id: str | None) -> bool:
        """Owner, coauthors and reviewers always; anyone once published without embargo."""
        if user_id and user_id in (self.main_author_id, *self.coauthors, *self.reviewers):
            return True
        return self.published and not self.with_embargo

    def can_write(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in (self.main_author_id, *self.coauthors)

    def to_json(self) -> dict[str, Any]:
        """The ``UploadProcData`` shape."""
        return {
            "process_running": self.process_running,
            "current_process": self.current_process,
            "process_status": self.process_status,
            "last_status_message": self.last_status_message,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "complete_time": self.complete_time,
            "upload_id": self.upload_id,
            "upload_name": self.upload_name,
            "upload_create_time": self.upload_create_time,
            "main_author": self.main_author_id,
            "coauthors": list(self.coauthors),
            "coauthor_groups": [],
            "reviewers": list(self.reviewers),
            "reviewer_groups": [],
            "writers": [self.main_author_id, *self.coauthors],
            "writer_groups": [],
            "viewers": [self.main_author_id, *self.coauthors, *self.reviewers],
            "viewer_groups": [],
            "published": self.published,
            "published_to": [],
            "publish_time": self.publish_time,
            "with_embargo": self.with_embargo,
            "embargo_length": self.embargo_length,
            "license": LICENSE,
            "entries": len(self.entries),
            "upload_files_server_path": str(self.directory),
        }


@dataclass
class Dataset:
    dataset_id: str
    dataset_name: str
    user_id: str
    dataset_type: str = "owned"
    dataset_create_time: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        """The ``Dataset`` shape."""
        return {
            "dataset_id": self.dataset_id,
            "dataset_name": self.dataset_name,
            "user_id": self.user_id,
            "dataset_type": self.dataset_type,
            "dataset_create_time": self.dataset_create_time,
            "dataset_modified_time": self.dataset_create_time,
        }
