"""Raw files of an upload on disk: safe paths, zip extraction, mainfile discovery."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

MAINFILE_SUFFIX = ".archive.json"


class RawFileError(Exception):
    """A raw file operation was refused (answered as 400)."""


def safe_relpath(path: str) -> str:
    """Normalise a path inside an upload; RawFileError if it escapes the upload."""
    clean = PurePosixPath("/" + path.strip().replace("\\", "/"))
    parts = [p for p in clean.parts[1:] if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise RawFileError("Bad path provided.")
    return "/".join(parts)


def target(root: Path, relpath: str) -> Path:
    """The absolute path of ``relpath`` under ``root`` (already checked)."""
    return root / safe_relpath(relpath) if relpath else root


def add_file(root: Path, directory: str, source: Path, name: str | None,
             overwrite: bool = True, decompress: bool = True) -> list[str]:
    """Put one received file into ``directory``; zips are extracted and merged.

    ``name`` is the client's file name (None when a raw body came without ``file_name``,
    which NOMAD only accepts for zip files). Returns the written paths.
    """
    base = safe_relpath(directory)
    if decompress and zipfile.is_zipfile(source):
        return _extract(root, base, source, overwrite)
    if not name:
        raise RawFileError(
            "No file name provided, and the file does not look like a zip or tar file."
        )
    if "/" in name.replace("\\", "/") or name in ("", ".", ".."):
        raise RawFileError("Bad file name provided.")
    rel = f"{base}/{name}" if base else name
    dest = target(root, rel)
    if dest.exists() and not overwrite:
        raise RawFileError(
            "The provided path already exists and overwrite_if_exists is set to False."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), dest)
    return [rel]


def _extract(root: Path, base: str, source: Path, overwrite: bool) -> list[str]:
    written: list[str] = []
    try:
        with zipfile.ZipFile(source) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                rel = safe_relpath(f"{base}/{info.filename}" if base else info.filename)
                dest = target(root, rel)
                if dest.exists() and not overwrite:
                    raise RawFileError(
                        f"The path {rel} already exists and overwrite_if_exists is set to False."
                    )
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 64 * 1024)
                written.append(rel)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RawFileError(f"Cannot extract file. Bad file format or file extension? ({exc})") \
            from None
    return written


def mainfiles(root: Path) -> list[str]:
    """Every ``*.archive.json`` under ``root``, as sorted upload-relative paths."""
    if not root.exists():
        return []
    found = [
        p.relative_to(root).as_posix()
        for p in root.rglob(f"*{MAINFILE_SUFFIX}")
        if p.is_file()
    ]
    return sorted(found)


def delete_path(root: Path, relpath: str) -> None:
    """Remove a file or folder of the upload; RawFileError if it does not exist."""
    rel = safe_relpath(relpath)
    dest = target(root, rel)
    if not rel or not dest.exists():
        raise RawFileError("No file or folder with that path found.")
    if dest.is_dir():
        shutil.rmtree(dest)
    else:
        dest.unlink()


def zip_directory(directory: Path, out: Path) -> None:
    """Write every file under ``directory`` into the zip file ``out``."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory).as_posix())
