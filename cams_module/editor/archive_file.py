"""Archive files on disk: read with clear errors, written as the exporter writes them
(sorted keys, 2-space indent, UTF-8, final newline) and atomically."""

from __future__ import annotations

import json
from pathlib import Path

from cams_module.schema.durable_file import durable_replace, fsync_folder


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
    """Write ``text`` to ``path`` whole or not at all (a temp file in the same folder, an
    atomic rename, then the folder fsync'd): a crash never leaves a half-written archive
    nor loses the save. The file keeps its mode (0644 for a new file)."""
    target = Path(path)
    durable_replace(target, text)
    fsync_folder(target.parent)
