"""The one durable file write: whole or not at all, the editor's saves and the export's zips.

A temporary file beside the target, fsync'd, renamed over it, then the folder fsync'd so
that the rename survives a crash."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644


def durable_replace(target: Path, data: bytes | str, mode: int | None = None) -> None:
    """Put ``data`` (text is written as UTF-8) at ``target`` whole or not at all: a hidden
    ``.NAME.*.tmp`` file beside it, fsync'd, given ``mode`` (None: the mode of the file it
    replaces, NEW_FILE_MODE for a new one), then renamed over it. An OSError leaves nothing
    behind and ``target`` as it was. The rename is on disk once :func:`fsync_folder` of
    its folder returns."""
    image = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        mode = _mode_of(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(image)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fsync_folder(folder: Path) -> None:
    """fsync ``folder`` so that the renames into it survive a crash; a file system that
    cannot fsync a folder (EINVAL) keeps its own guarantees. OSError otherwise."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def _mode_of(target: Path) -> int:
    """The permission bits of the file at ``target``; NEW_FILE_MODE when there is none."""
    try:
        return os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        return NEW_FILE_MODE
