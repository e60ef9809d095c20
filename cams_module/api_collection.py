"""API_collection, the seed's NOMAD functions, as a thin face over `NomadClient`.

Each function takes the client as `client=` (or builds one from the environment:
NOMAD_URL, NOMAD_TOKEN or NOMAD_USERNAME/NOMAD_PASSWORD, or NOMAD_CONFIG).
See docs/nomad-client.md.
"""

from __future__ import annotations

import os

from cams_module.nomad import errors
from cams_module.nomad.client import DEFAULT_DEADLINE, NomadClient, Progress
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import *  # noqa: F403 - the seed's face re-exports every error
from cams_module.nomad.models import Dataset, Entry, Upload
from cams_module.nomad.poll import PollPolicy
from cams_module.nomad.retry import RetryPolicy

__all__ = [
    *errors.__all__, "DEFAULT_DEADLINE", "Dataset", "Entry", "NomadClient", "NomadConfig",
    "PollPolicy", "RetryPolicy", "Upload",
    "check_upload_status", "delete_upload", "get_authentication_token", "get_upload_entries",
    "publish_upload", "upload_file", "upload_to_NOMAD", "wait_for_upload_completion",
]


# -- the seed's functional face -----------------------------------------------------------
def _client(client: NomadClient | None) -> NomadClient:
    return client if client is not None else NomadClient(NomadConfig.from_env())


def get_authentication_token(*, client: NomadClient | None = None) -> str:
    """Log in (or take the configured token) and return the access token."""
    return _client(client).get_authentication_token()


def upload_to_NOMAD(zip_path: str | os.PathLike[str], *,  # noqa: N802
                    client: NomadClient | None = None, upload_name: str | None = None,
                    embargo_length: int = 0) -> Upload:
    """Create an upload from a zip file; returns as soon as NOMAD has received it."""
    return _client(client).upload_to_NOMAD(zip_path, upload_name=upload_name,
                                           embargo_length=embargo_length)


def check_upload_status(upload_id: str, *, client: NomadClient | None = None) -> Upload:
    """The upload's current processing state."""
    return _client(client).check_upload_status(upload_id)


def wait_for_upload_completion(upload_id: str, *, client: NomadClient | None = None,
                               deadline: float = DEFAULT_DEADLINE,
                               progress: Progress | None = None) -> Upload:
    """Poll until processing stops (growing intervals, overall deadline)."""
    return _client(client).wait_for_upload_completion(upload_id, deadline=deadline,
                                                      progress=progress)


def get_upload_entries(upload_id: str, *, client: NomadClient | None = None) -> list[Entry]:
    """Every entry of the upload, with its status, errors and warnings."""
    return _client(client).get_upload_entries(upload_id)


def delete_upload(upload_id: str, *, client: NomadClient | None = None) -> Upload | None:
    """Delete an unpublished upload."""
    return _client(client).delete_upload(upload_id)


def publish_upload(upload_id: str, *, client: NomadClient | None = None,
                   embargo_length: int = 0) -> Upload:
    """Publish a processed upload (irreversible)."""
    return _client(client).publish_upload(upload_id, embargo_length=embargo_length)


def upload_file(zip_path: str | os.PathLike[str], *, client: NomadClient | None = None,
                upload_name: str | None = None, upload_id: str | None = None,
                publish: bool = False, embargo_length: int = 0,
                delete_on_failure: bool = False, progress: Progress | None = None,
                deadline: float = DEFAULT_DEADLINE) -> Upload:
    """The whole pipeline: authenticate, upload, wait, entries, optionally publish."""
    return _client(client).upload_file(
        zip_path, upload_name=upload_name, upload_id=upload_id, publish=publish,
        embargo_length=embargo_length, delete_on_failure=delete_on_failure,
        progress=progress, deadline=deadline,
    )
