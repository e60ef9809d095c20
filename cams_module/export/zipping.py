"""Deterministic zips of archives: same archives -> byte-identical file, atomic and durable.

Written as a temporary file beside the target, fsync'd, renamed, then the folder fsync'd."""

from __future__ import annotations

import errno
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cams_module.schema.archive_json import archive_bytes
from cams_module.schema.durable_file import durable_replace, fsync_folder
from cams_module.schema.yaml_package import yaml_text

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}

# The zip layout zipfile writes for ``writestr(ZipInfo(name, FIXED_TIME), data,
# compresslevel=6)`` with deflate, Unix mode FILE_MODE, below the ZIP64 limits; written here
# directly because zipfile's per-member objects, seeks and header rewrites cost more than
# compressing a small archive. Anything larger is left to zipfile itself (same bytes).
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION, _UNIX, _DEFLATED, _LEVEL, _UTF8_NAME = 20, 3, 8, 6, 0x800
_DOS_TIME = FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2
_DOS_DATE = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
_ATTR = (0o100000 | FILE_MODE) << 16
_LIMIT, _MAX_FILES = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT

Members = Callable[[], Iterable[tuple[str, bytes]]]


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


def zip_bytes_into(handle: Any, files: dict[str, bytes]) -> None:
    """Write ``files`` (name -> bytes) as a zip into an open binary ``handle``."""
    names = sorted(files)
    handle.write(zip_image(lambda: ((name, files[name]) for name in names)))


def archives_zip(archives: dict[str, Any]) -> bytes:
    """The deterministic zip of ``archives`` (name -> archive) as bytes, members in name
    order, one archive's text at a time (the compressed zip is all that grows). A
    ``*.yaml`` name (an embedded schema package) is written as YAML, the rest as JSON."""
    names = sorted(archives)
    return zip_image(lambda: ((name, _file_bytes(name, archives[name])) for name in names))


def zip_image(members: Members) -> bytes:
    """The zip of the (name, bytes) pairs ``members()`` yields, in that order: exactly the
    bytes zipfile writes for them (called a second time for a zip that needs ZIP64)."""
    image = _small_zip(members())
    if image is None:
        buffer = io.BytesIO()
        _zipfile_members(buffer, members())
        image = buffer.getvalue()
    return image


def _small_zip(members: Iterable[tuple[str, bytes]]) -> bytes | None:
    """The zip below 2 GiB and 65,535 files; None when it would need ZIP64."""
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, content in members:
        if "\x00" in name or os.sep != "/":
            name = zipfile.ZipInfo(name).filename  # zipfile's own name clean-up
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        if len(content) * 1.05 > _LIMIT or offset > _LIMIT:
            return None
        body = zlib.compress(content, _LEVEL, wbits=-15)
        crc = zlib.crc32(content)
        fixed = (_DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(body), len(content), len(encoded))
        parts += (_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, *fixed, 0), encoded, body)
        central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags,
                                     *fixed, 0, 0, 0, 0, _ATTR, offset) + encoded)
        offset += _LOCAL.size + len(encoded) + len(body)
    directory = b"".join(central)
    if len(central) > _MAX_FILES or offset > _LIMIT or len(directory) > _LIMIT:
        return None
    parts += (directory, _END.pack(b"PK\x05\x06", 0, 0, len(central), len(central),
                                   len(directory), offset, 0))
    return b"".join(parts)


def _zipfile_members(handle: Any, members: Iterable[tuple[str, bytes]]) -> None:
    """Write (name, bytes) pairs, already in name order, as a zip into ``handle``."""
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _ATTR
            zf.writestr(info, content, compresslevel=_LEVEL)


def _file_bytes(name: str, archive: Any) -> bytes:
    return yaml_text(archive).encode() if name.endswith(".yaml") else archive_bytes(archive)


def write_zip(result: Any, path: str | os.PathLike) -> Path:
    """Write an ExportResult's archives (or a name -> archive dict) as a deterministic zip.

    A ``*.yaml`` name (an embedded schema package) is written as YAML, the rest as JSON.

    The zip is built in memory (nothing touches the disk before every archive has been
    written as text), written to a temporary file beside ``path``, fsync'd, renamed into
    place and the folder fsync'd: when this returns the zip is on disk, and a failure (e.g.
    a full disk) or a crash never leaves a half-written zip at ``path``. Failures raise
    :class:`ZipWriteError` (an OSError) saying what to do.
    """
    archives = result if isinstance(result, dict) else result.archives
    image = archives_zip(archives)
    target = Path(path)
    durable_write(image, target)
    sync_folder(target.parent, target)
    return target


def durable_write(image: bytes, target: Path) -> None:
    """Put ``image`` at ``target`` whole or not at all, with FILE_MODE (schema/durable_file).
    ZipWriteError (nothing left behind) when that fails. The rename itself is on disk once
    the folder is fsync'd (:func:`sync_folder`)."""
    try:
        durable_replace(target, image, FILE_MODE)
    except OSError as exc:
        raise ZipWriteError(target, exc) from exc


def sync_folder(folder: Path, target: Path) -> None:
    """fsync ``folder`` so that renames into it survive a crash (EINVAL tolerated:
    schema/durable_file). ZipWriteError naming ``target`` (the zip renamed into it)
    otherwise."""
    try:
        fsync_folder(folder)
    except OSError as exc:
        raise ZipWriteError(target, exc) from exc
