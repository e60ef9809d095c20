"""Typed results of the NOMAD client: an upload, its entries, a dataset."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cams_module.status import NomadStatus

#: process_status values of NOMAD that mean "finished" (see NOMAD's ProcessStatus).
SUCCESS = "SUCCESS"
FAILURE = "FAILURE"


def upload_gui_url(gui_base: str, upload_id: str) -> str:
    """Link of an upload's page in the NOMAD GUI."""
    return f"{gui_base}/user/uploads/upload/id/{upload_id}"


def entry_gui_url(gui_base: str, upload_id: str, entry_id: str) -> str:
    """Link of an entry's page in the NOMAD GUI."""
    return f"{upload_gui_url(gui_base, upload_id)}/entry/id/{entry_id}"


@dataclass
class Entry:
    """One processed file (mainfile) of an upload."""

    entry_id: str
    mainfile: str
    process_status: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gui_url: str | None = None
    process_running: bool = False
    parser_name: str | None = None

    @property
    def failed(self) -> bool:
        """True when NOMAD could not process this entry."""
        return self.process_status == FAILURE or bool(self.errors)

    @classmethod
    def from_api(cls, data: dict[str, Any], gui_base: str | None = None) -> Entry:
        """Build from NOMAD's `EntryProcData` JSON."""
        entry_id = str(data.get("entry_id", ""))
        upload_id = str(data.get("upload_id", ""))
        return cls(
            entry_id=entry_id,
            mainfile=str(data.get("mainfile", "")),
            process_status=str(data.get("process_status", "")),
            errors=list(data.get("errors") or []),
            warnings=list(data.get("warnings") or []),
            gui_url=entry_gui_url(gui_base, upload_id, entry_id) if gui_base else None,
            process_running=bool(data.get("process_running", False)),
            parser_name=data.get("parser_name"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (adds `failed`)."""
        return {**asdict(self), "failed": self.failed}


@dataclass
class Upload:
    """An upload as NOMAD reports it; `entries` is filled once they were fetched."""

    upload_id: str
    upload_name: str | None = None
    process_status: str = "READY"
    process_running: bool = False
    last_status_message: str | None = None
    published: bool = False
    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gui_url: str | None = None
    entry_count: int = 0
    upload_create_time: str | None = None
    publish_time: str | None = None
    embargo_length: int = 0
    coauthors: list[str] = field(default_factory=list)
    main_author: str | None = None

    @property
    def failed_entries(self) -> list[Entry]:
        """The entries NOMAD could not process."""
        return [e for e in self.entries if e.failed]

    @property
    def succeeded(self) -> bool:
        """True when processing finished and the upload and every entry succeeded."""
        return (
            not self.process_running
            and self.process_status == SUCCESS
            and not self.errors
            and not self.failed_entries
        )

    @property
    def status(self) -> NomadStatus:
        """The project's status word for this upload."""
        if self.published:
            return NomadStatus.PUBLISHED
        if self.process_running or self.process_status not in (SUCCESS, FAILURE):
            return NomadStatus.PROCESSING
        return NomadStatus.PROCESSED if self.succeeded else NomadStatus.FAILED

    @classmethod
    def from_api(cls, data: dict[str, Any], gui_base: str | None = None) -> Upload:
        """Build from NOMAD's `UploadProcData` JSON (its `entries` is only a count)."""
        upload_id = str(data.get("upload_id", ""))
        count = data.get("entries")
        return cls(
            upload_id=upload_id,
            upload_name=data.get("upload_name"),
            process_status=str(data.get("process_status") or "READY"),
            process_running=bool(data.get("process_running", False)),
            last_status_message=data.get("last_status_message"),
            published=bool(data.get("published", False)),
            errors=list(data.get("errors") or []),
            warnings=list(data.get("warnings") or []),
            gui_url=upload_gui_url(gui_base, upload_id) if gui_base else None,
            entry_count=count if isinstance(count, int) else 0,
            upload_create_time=data.get("upload_create_time"),
            publish_time=data.get("publish_time"),
            embargo_length=int(data.get("embargo_length") or 0),
            coauthors=list(data.get("coauthors") or []),
            main_author=data.get("main_author"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (entries as dicts, plus `status` and `succeeded`)."""
        out = asdict(self)
        out["entries"] = [e.to_dict() for e in self.entries]
        out["status"] = str(self.status)
        out["succeeded"] = self.succeeded
        return out


@dataclass
class Dataset:
    """A NOMAD dataset (a named collection of entries that can get a DOI)."""

    dataset_id: str
    dataset_name: str | None = None
    doi: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Dataset:
        """Build from NOMAD's `Dataset` JSON."""
        return cls(
            dataset_id=str(data.get("dataset_id", "")),
            dataset_name=data.get("dataset_name"),
            doi=data.get("doi"),
        )
