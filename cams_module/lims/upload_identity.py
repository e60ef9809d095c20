"""An upload's identity on NOMAD: the CAMS process id and a job token in its name.

A NOMAD upload is found again (the answer to the creating POST was lost; a worker died
while sending) by its exact name, which carries the CAMS process id and the token of the
job that created it — never by the process name alone, so two processes named alike, or
two jobs of one process, never take each other's upload.
"""

from __future__ import annotations

import re
import secrets

_TAIL = re.compile(r" \(CAMS process (\d+), job ([0-9a-f]{12})\)$")


def new_token() -> str:
    """A fresh job token (12 hex digits, random)."""
    return secrets.token_hex(6)


def upload_name(process_name: str, process_id: int, token: str) -> str:
    """The NOMAD upload name of a job: the process name, then its CAMS identity."""
    return f"{process_name} (CAMS process {int(process_id)}, job {token})"


def identity(name: str | None) -> tuple[int, str] | None:
    """(process id, job token) read back from an upload name, or None when the name
    carries no CAMS identity."""
    match = _TAIL.search(name or "")
    return (int(match.group(1)), match.group(2)) if match else None


def process_name_of(name: str | None) -> str:
    """The process name part of an upload name (the whole name without an identity)."""
    match = _TAIL.search(name or "")
    return (name or "")[:match.start()] if match else (name or "")
