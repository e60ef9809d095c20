"""Archive files on disk: read with clear errors, written as the exporter writes them
(sorted keys, 2-space indent, UTF-8, final newline) and atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


class DocumentError(ValueError):
    """The file cannot be read as an archive, or an edit does not fit it."""


def read_json(path: str | Path) -> dict:
    """Read an archive file; DocumentError names the file, line and column when it is broken."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text; save the file as UTF-8 JSON") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: an archive must be a JSON object with a 'data' section")
    return data


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and an atomic rename,
    so a crash never leaves a half-written archive."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
