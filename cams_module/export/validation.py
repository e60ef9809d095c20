"""Validate an upload on disk (a zip or a folder of ``*.archive.json``) with the one validator."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cams_module.schema import validate_archive_json

ARCHIVE_SUFFIX = ".archive.json"


@dataclass(frozen=True)
class FileProblem:
    """A validator problem located in one file of the upload."""

    file: str
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(archive)'}: {self.message} [{self.code}]"


def read_upload(path: str | Path) -> dict[str, bytes]:
    """The ``*.archive.json`` files of a zip or a folder (name relative to it -> bytes)."""
    path = Path(path)
    if path.is_dir():
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob(f"*{ARCHIVE_SUFFIX}"))
            if p.is_file()
        }
    with zipfile.ZipFile(path) as zf:
        return {
            name: zf.read(name)
            for name in sorted(zf.namelist())
            if name.endswith(ARCHIVE_SUFFIX) and not name.endswith("/")
        }


def validate_upload(path: str | Path, schemas: Any) -> tuple[int, list[FileProblem]]:
    """Check every archive of the upload; return (number of archives, problems)."""

    files = read_upload(path)
    mainfiles = {name: _m_def(raw) for name, raw in files.items()}
    problems: list[FileProblem] = []
    for name, raw in files.items():
        for p in validate_archive_json(raw, schemas, mainfile=name, upload_mainfiles=mainfiles):
            problems.append(FileProblem(name, p.path, p.code, p.message))
    return len(files), problems


def _m_def(raw: bytes) -> str | None:
    try:
        data = json.loads(raw.decode("utf-8")).get("data")
        return data.get("m_def") if isinstance(data, dict) else None
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None


def guess_schema_set(path: str | Path) -> str | None:
    """The shipped schema set an upload's m_defs belong to (2025.04 or 2.0), if recognisable."""
    for raw in read_upload(path).values():
        try:
            m_def = json.loads(raw.decode("utf-8")).get("data", {}).get("m_def", "")
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            continue
        if m_def.startswith("fabrication_facilities."):
            return "fabrication-utilities-2025.04"
        if m_def.startswith("schema_packages."):
            return "fabrication-utilities-2.0"
    return None
