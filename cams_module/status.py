"""The one NOMAD status vocabulary shared by CAMS fields, jobs, the UI and the CLI."""

from enum import StrEnum


class NomadStatus(StrEnum):
    """Where a CAMS process stands on its way to NOMAD."""

    NOT_UPLOADED = "not uploaded"
    QUEUED = "queued"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"
    PUBLISHED = "published"

    @property
    def busy(self) -> bool:
        """True while a job owns the process (a second press must be refused)."""
        return self in (NomadStatus.QUEUED, NomadStatus.UPLOADING, NomadStatus.PROCESSING)
