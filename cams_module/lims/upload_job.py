"""A NOMAD job as data (what it sends, how to name its steps, its upload identity) and
the NOMAD client a job talks to."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from cams_module.lims import accounts
from cams_module.nomad.client import NomadClient
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.people import config_for_token


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


def client_factory(job: UploadJob | None = None, task: Any = None) -> NomadClient:
    """The NOMAD client a job talks to — the single place that chooses the account.

    Without a job: the facility's account from the environment (NOMAD_URL, NOMAD_TOKEN or
    NOMAD_USERNAME + NOMAD_PASSWORD). For a job whose user linked a NOMAD account (read
    from `task`'s database): that user's own token only — no username or password, so a
    refused token fails with a sentence telling the user to renew it and never falls back
    to the facility's account. Otherwise the facility's account. AccountError when the
    token cannot be decrypted.
    """
    config = NomadConfig.from_env()
    if job is None:
        return NomadClient(config)
    if task is None:  # without the database the account cannot be chosen: never guess
        raise TypeError("client_factory(job, task): a job's client needs the task")
    token = accounts.token_of(task, job.user_login)
    if token is None:
        return NomadClient(config)
    hint = (f"The token {job.user_login} linked in CAMS has expired or was revoked. "
            + renew_sentence(job.user_login))
    return NomadClient(config_for_token(config, token, refused_hint=hint))


def renew_sentence(login: str) -> str:
    """What to tell `login` when NOMAD refuses the token they linked."""
    return (f"{login}: create a new token in NOMAD and save it on your 'My NOMAD account' "
            "page in CAMS, then press the button again. Nothing was sent with another "
            "account.")
