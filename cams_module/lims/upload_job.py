"""A NOMAD job as data (what it sends, how to name its steps, its upload identity) and
the NOMAD client a job talks to."""

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
    action: str = "upload"
    embargo_months: int = 0
    extra: dict = field(default_factory=dict)
    #: the process's status before the press: restored when nothing is sent
    previous_status: str = ""
    #: this job's token: with the process id it names the NOMAD upload it creates
    token: str = ""
    #: POSIX time after which NOMAD's processing counts as too slow (set when sent)
    deadline: float | None = None
    #: seconds until the next look at NOMAD's processing (grows while it runs)
    poll_delay: float = 0.0

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


def client_factory(job: UploadJob | None = None) -> NomadClient:  # noqa: ARG001
    """The NOMAD client a job talks to — the single place a job gets its client. Today
    one account for every job, from the environment (NOMAD_URL, NOMAD_TOKEN or
    user+password); `job` (its user_login) is there to choose one per user."""
    return NomadClient(NomadConfig.from_env())
