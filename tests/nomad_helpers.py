"""Helpers for the NOMAD client tests: small upload zips and a fast client."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

PROCESS = "schema_packages.fabrication_utilities.FabricationProcess"
BAKING = "schema_packages.steps.transform.thermal_process.baking.Baking"


def step_archive(n: int, m_def: str = BAKING, **extra: object) -> dict:
    """One step entry: a Baking step named after its position."""
    return {"data": {"m_def": m_def, "name": f"Step {n}", **extra}}


def process_archive(step_files: list[str], name: str = "PicoTCDv3") -> dict:
    """The process entry, referencing its steps inside the same upload."""
    return {"data": {"m_def": PROCESS, "name": name, "steps": [
        f"../upload/archive/mainfile/{f}#data" for f in step_files]}}


def write_upload_zip(path: Path, steps: int = 2, *, name: str = "PicoTCDv3",
                     broken_step: int | None = None, unknown_key_step: int | None = None) -> Path:
    """A zip with `steps` step entries and one process entry.

    `broken_step`: that step gets an m_def NOMAD does not know (the entry fails).
    `unknown_key_step`: that step gets a key the schema lacks (a warning only).
    """
    files = {}
    for n in range(1, steps + 1):
        extra: dict[str, object] = {}
        m_def = BAKING
        if n == broken_step:
            m_def = "schema_packages.steps.NoSuchStep"
        if n == unknown_key_step:
            extra["depth_IN"] = 1.5
        files[f"step_{n:02d}.archive.json"] = step_archive(n, m_def, **extra)
    files["process.archive.json"] = process_archive(sorted(files), name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for mainfile, archive in sorted(files.items()):
            zf.writestr(mainfile, json.dumps(archive))
    return path


def fast_client(server, *, token: str | None = None, password: str | None = None,
                username: str | None = None, timeout: float = 5.0, **config):
    """A client for the stand-in with short waits (polls and retry backoff)."""
    from cams_module.api_collection import NomadClient, PollPolicy, RetryPolicy
    from cams_module.nomad.config import NomadConfig

    if token is None or password is not None:
        username = username or server.username
        password = password or server.password
    cfg = NomadConfig(url=server.url, token=token, username=username, password=password,
                      timeout=timeout, **config)
    return NomadClient(cfg, retry=RetryPolicy(backoff=0.05, max_backoff=0.2, budget=5.0),
                       poll=PollPolicy(first=0.05, growth=1.5, cap=0.25))
