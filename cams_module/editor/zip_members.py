"""`official validate some.zip`: the archives inside a zip, as files the editor can load."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

ARCHIVE_SUFFIX = ".archive.json"


class NotAnUpload(ValueError):
    """A zip that holds no archive, or one that cannot be read."""


@contextmanager
def expanded(names: list[str]) -> Iterator[list[tuple[str, Path]]]:
    """(shown name, file) per file to validate: a zip becomes its `*.archive.json`
    members ("some.zip:step_1.archive.json"), unpacked into a folder removed afterwards;
    other names pass unchanged. Raises NotAnUpload for a zip without archives."""
    with tempfile.TemporaryDirectory(prefix="official-zip-") as tmp:
        files: list[tuple[str, Path]] = []
        for n, name in enumerate(names):
            if not (name.lower().endswith(".zip") and Path(name).is_file()):
                files.append((name, Path(name)))
                continue
            try:
                with zipfile.ZipFile(name) as archive:
                    members = [m for m in archive.infolist() if not m.is_dir()
                               and m.filename.endswith(ARCHIVE_SUFFIX)]
                    if not members:
                        raise NotAnUpload(f"{name}: the zip holds no *{ARCHIVE_SUFFIX} file")
                    for i, member in enumerate(members):
                        target = Path(tmp) / str(n) / f"{i}-{PurePosixPath(member.filename).name}"
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.read(member))
                        files.append((f"{name}:{member.filename}", target))
            except (zipfile.BadZipFile, OSError) as exc:
                raise NotAnUpload(f"{name}: not a readable zip ({exc})") from exc
        yield files
