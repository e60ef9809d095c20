"""An upload job as data (what it sends, how to name its steps) and the NOMAD client
a job talks to."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from cams_module.nomad.client import NomadClient
from cams_module.nomad.config import NomadConfig


@dataclass
class UploadJob:
    """What an upload job sends and how to name its steps in messages."""

    job_id: int
    process_id: int
    process_name: str
    user_login: str
    zip_path: str
    files: list[str]
    sha256: str
    #: [step id, mainfile] in position order
    step_files: list[list[Any]]
    #: str(step id) -> {"position", "name", "type"}
    steps: dict[str, dict]
    process_file: str = ""
    upload_id: str | None = None
    #: POSIX time of an interrupted earlier job: NOMAD may hold its upload (adopt it)
    adopt_after: float | None = None
    action: str = "upload"
    embargo_months: int = 0
    extra: dict = field(default_factory=dict)
    #: the process's status before the press: restored when nothing is sent
    previous_status: str = ""

    def payload(self) -> dict:
        """The JSON stored on the job row (enough to resume after a restart)."""
        data = asdict(self)
        data.pop("zip_path")
        return data


def processing_deadline() -> float:
    """Seconds a job waits for NOMAD's processing (env NOMAD_PROCESSING_DEADLINE, 900)."""
    try:
        return max(1.0, float(os.environ.get("NOMAD_PROCESSING_DEADLINE") or 900))
    except ValueError:
        return 900.0


def client_factory() -> NomadClient:
    """A NOMAD client from the environment (NOMAD_URL, NOMAD_TOKEN or user+password)."""
    return NomadClient(NomadConfig.from_env())
