"""Deterministic zips of archives: same archives -> byte-identical file, written atomically."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cams_module.schema.archive_json import archive_bytes
from cams_module.schema.yaml_package import yaml_text

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class ZipWriteError(OSError):
    """The zip could not be written (nothing was left at the target); says what to do."""

    def __init__(self, path: Path, cause: OSError):
        reason = cause.strerror or str(cause)
        if cause.errno in _NO_SPACE:
            hint = "the disk is full (or the file too large): free some space and export again"
        else:
            hint = "check that the folder exists and is writable, then export again"
        self.message = f"could not write the export zip {path}: {reason}; {hint}"
        super().__init__(cause.errno, self.message)
        self.path = path

    def __str__(self) -> str:
        return self.message
FILE_MODE = 0o644


def zip_bytes_into(handle: Any, files: dict[str, bytes]) -> None:
    """Write ``files`` (name -> bytes) as a zip into an open binary ``handle``."""
    _zip_members(handle, ((name, files[name]) for name in sorted(files)))


def _zip_members(handle: Any, members: Iterable[tuple[str, bytes]]) -> None:
    """Write (name, bytes) pairs, already in name order, as a zip into ``handle``."""
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100000 | FILE_MODE) << 16
            zf.writestr(info, content, compresslevel=6)


def _file_bytes(name: str, archive: Any) -> bytes:
    return yaml_text(archive).encode() if name.endswith(".yaml") else archive_bytes(archive)


def write_zip(result: Any, path: str | os.PathLike) -> Path:
    """Write an ExportResult's archives (or a name -> archive dict) as a deterministic zip.

    A ``*.yaml`` name (an embedded schema package) is written as YAML, the rest as JSON.

    The zip is written to a temporary file beside ``path`` and renamed into place, so a
    failure (e.g. a full disk) never leaves a half-written zip at ``path``; it raises
    :class:`ZipWriteError` (an OSError) saying what to do.
    """
    archives = result if isinstance(result, dict) else result.archives
    # Built in memory, one archive's text at a time (the compressed zip is all that grows),
    # then written with one call: zipfile's seek-back per member costs system calls on a
    # real file. Nothing touches the disk before every archive has been written as text.
    buffer = io.BytesIO()
    _zip_members(buffer, ((name, _file_bytes(name, archives[name])) for name in sorted(archives)))
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ZipWriteError(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ZipWriteError(target, exc) from exc
        raise
    return target
