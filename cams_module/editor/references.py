"""References to other steps of the upload: which file, step name and class they point at,
and the files closest to a reference whose file is missing (ranked by similarity)."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .fields import REFERENCE_PREFIX

_REFERENCE = re.compile(r"^\.\./upload/archive/mainfile/(?P<file>[^#]+)#")
_SUFFIX = ".archive.json"


@dataclass(frozen=True)
class StepInfo:
    """What a reference points at: the file, and (when it can be read) the step's name and
    class short name."""

    file: str
    name: str | None = None
    kind: str | None = None
    exists: bool = False

    @property
    def label(self) -> str:
        """``Post exposure bake (Baking) — Prova_PEB.archive.json``; missing files say so."""
        if not self.exists:
            return f"{self.file} — missing in this folder"
        what = self.name or _stem(self.file)
        return f"{what} ({self.kind or 'unknown class'}) — {self.file}"


def referenced_file(reference: str) -> str | None:
    """The mainfile a ``../upload/archive/mainfile/<file>#data`` reference names, or None."""
    match = _REFERENCE.match(reference.strip()) if isinstance(reference, str) else None
    return match["file"] if match else None


def step_info(folder: Path | None, file: str) -> StepInfo:
    """Read the step's name and class from ``folder/file`` (nothing when unreadable)."""
    path = folder / file if folder is not None else None
    if path is None or not path.is_file():
        return StepInfo(file)
    try:
        data = json.loads(path.read_text(encoding="utf-8")).get("data") or {}
    except (OSError, ValueError, AttributeError):
        return StepInfo(file, exists=True)
    name = data.get("name") if isinstance(data.get("name"), str) else None
    m_def = data.get("m_def") if isinstance(data.get("m_def"), str) else None
    return StepInfo(file, name, m_def.rsplit(".", 1)[-1] if m_def else None, True)


def describe(folder: Path | None, reference: str) -> str:
    """A reference as people read it: step name, class and file (the raw text otherwise)."""
    file = referenced_file(reference)
    return step_info(folder, file).label if file else reference


def closest_files(file: str, candidates: list[str], limit: int = 3) -> list[str]:
    """The ``candidates`` most like ``file``, best first, comparing names without the shared
    ``.archive.json`` ending (so 'Prova_PEB' ranks above 'Prova_ebl' for 'Prova_PEBB')."""
    want = _stem(file).lower()
    scored = sorted(
        ((difflib.SequenceMatcher(None, want, _stem(c).lower()).ratio(), c)
         for c in candidates),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [name for score, name in scored[:limit] if score >= 0.3]


def missing_reference_message(folder: Path | None, reference: str,
                              candidates: list[str]) -> str | None:
    """Two lines for a reference whose file is not in the folder (None when it is):
    what is wrong, then the closest files with their step names."""
    file = referenced_file(reference)
    if file is None or file in candidates:
        return None
    near = closest_files(file, candidates)
    text = f"{file!r} is not a file in this folder."
    if near:
        text += "\nClosest: " + "; ".join(step_info(folder, n).label for n in near)
    return text


def reference_for(file: str) -> str:
    """The reference to the ``data`` section of ``file`` (a mainfile of this upload)."""
    return f"{REFERENCE_PREFIX}{file}#data"


def _stem(file: str) -> str:
    return file[: -len(_SUFFIX)] if file.endswith(_SUFFIX) else file.rsplit(".", 1)[0]
