"""The archive being edited: values by key path, sub-sections, undo/redo, save.

An ArchiveDocument wraps the archive dict exactly as read. Keys the schema does not know are
kept and written back; nothing is dropped. Every change goes through a method here, so
undo/redo and the "modified" flag (the archive differs from the saved file) stay right for
the window and the CLI alike. Files are written as the exporter writes them (keys sorted).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from cams_module.schema import load_schema_set, validate_archive
from cams_module.schema.archive_json import archive_text
from cams_module.schema.paths import PathError, Step, format_path, parse_path

from .archive_file import DocumentError, read_json, write_atomic
from .plausibility import plausibility_warnings
from .profiles import ProfileError, set_name_for

UNDO_LIMIT = 500
_UNCHANGED = ""  # no change yet: the saved text is taken at the first change
__all__ = ["ArchiveDocument", "DocumentError", "load_document", "new_document",
           "section_class", "write_atomic"]


def section_class(schemas: Any, steps: tuple[Step, ...], archive: dict) -> Any:
    """The ClassDef of the section at ``steps`` (None when unknown or not a section)."""
    if schemas is None or not steps or steps[0] != "data":
        return None
    node: Any = archive.get("data")
    cls = schemas.get(node.get("m_def", "")) if isinstance(node, dict) else None
    for step in steps[1:]:
        if cls is None:
            return None
        if isinstance(step, int):
            in_range = isinstance(node, list) and -len(node) <= step < len(node)
            node = node[step] if in_range else None
        else:
            sub = cls.subsections.get(step)
            if sub is None:
                return None
            node = node.get(step) if isinstance(node, dict) else None
            cls = schemas.get(sub.section)
            if sub.repeats and isinstance(node, list):
                continue
        if isinstance(node, dict) and node.get("m_def") and schemas.get(node["m_def"]):
            cls = schemas.get(node["m_def"])
    return cls


class ArchiveDocument:
    """An archive dict with path-based editing, schema-aware key order and undo/redo."""

    def __init__(self, archive: dict, schemas: Any = None, path: str | Path | None = None,
                 scratch: bool = False):
        """``scratch``: a throwaway copy for trying a value (no undo, no modified flag)."""
        if not isinstance(archive, dict):
            raise DocumentError("an archive must be a JSON object with a 'data' section")
        self.archive = archive
        self.schemas = schemas
        self.path = Path(path) if path else None
        self.scratch = scratch
        self._undo: list[dict] = []
        self._redo: list[dict] = []
        self._saved: str | None = _UNCHANGED

    @property
    def modified(self) -> bool:
        """True when the archive differs from the file as last read or saved."""
        if self._saved is None:
            return True
        return self._saved != _UNCHANGED and archive_text(self.archive) != self._saved

    # ----- reading ------------------------------------------------------------------
    @classmethod
    def read_json(cls, path: str | Path) -> dict:
        """Read a JSON file; DocumentError names the file, line and column when it is broken."""
        return read_json(path)

    def get(self, path: str | tuple) -> Any:
        """The value at a key path (``data.etching_steps[0].chamber_pressure``)."""
        steps = parse_path(path) if isinstance(path, str) else tuple(path)
        node: Any = self.archive
        for depth, step in enumerate(steps):
            node = _child(node, step, steps[: depth + 1])
        return node

    def exists(self, path: str | tuple) -> bool:
        """True when the key path leads to a stored value."""
        try:
            self.get(path)
        except PathError:
            return False
        return True

    def section_class(self, path: str | tuple) -> Any:
        """The schema class of the section at ``path`` (None if unknown)."""
        steps = parse_path(path) if isinstance(path, str) else tuple(path)
        return section_class(self.schemas, steps, self.archive)

    def quantity(self, path: str | tuple) -> Any:
        """The schema Quantity a key path names (also for ``list[i]`` items), or None."""
        steps = parse_path(path) if isinstance(path, str) else tuple(path)
        if steps and isinstance(steps[-1], int):
            steps = steps[:-1]
        if len(steps) < 2 or not isinstance(steps[-1], str):
            return None
        cls = section_class(self.schemas, steps[:-1], self.archive)
        return cls.quantities.get(steps[-1]) if cls is not None else None

    def subsection(self, path: str | tuple) -> Any:
        """The schema SubSection a key path names (``data.etching_steps``), or None."""
        steps = parse_path(path) if isinstance(path, str) else tuple(path)
        if len(steps) < 2 or not isinstance(steps[-1], str):
            return None
        cls = section_class(self.schemas, steps[:-1], self.archive)
        return cls.subsections.get(steps[-1]) if cls is not None else None

    # ----- changing -----------------------------------------------------------------
    def set(self, path: str | tuple, value: Any) -> None:
        """Store ``value`` at ``path``, creating missing sections on the way (``x[0]`` may
        append the first item of a list)."""
        steps = self._steps(path)
        self._checkpoint()
        try:
            parent = self._make_parent(steps)
            last = steps[-1]
            if isinstance(last, int):
                if last == len(parent):
                    parent.append(value)
                else:
                    _child(parent, last, steps)
                    parent[last] = value
            else:
                parent[last] = value
        except Exception:
            self._rollback()
            raise

    def remove(self, path: str | tuple) -> Any:
        """Delete the key or list item at ``path``; return what was removed."""
        steps = self._steps(path)
        parent = self.get(steps[:-1])
        _child(parent, steps[-1], steps)
        self._checkpoint()
        return parent.pop(steps[-1])

    def add_section(self, path: str | tuple, m_def: str | None = None) -> str:
        """Add an empty sub-section at ``path`` (``data.etching_steps`` appends one item to a
        repeating sub-section); return the new section's key path."""
        steps = self._steps(path)
        sub = self.subsection(steps)
        section: dict = {"m_def": m_def} if m_def else {}
        repeats = sub.repeats if sub is not None else isinstance(self._peek(steps), list)
        if repeats:
            current = self._peek(steps)
            items = list(current) if isinstance(current, list) else []
            items.append(section)
            self.set(steps, items)
            return format_path(steps + (len(items) - 1,))
        if self._peek(steps) is not None:
            raise DocumentError(f"{format_path(steps)} already exists")
        self.set(steps, section)
        return format_path(steps)

    def move(self, path: str | tuple, new_index: int) -> str:
        """Move the list item at ``path`` (``…steps[2]``) to ``new_index``; return its new path."""
        steps = self._steps(path)
        if not isinstance(steps[-1], int):
            raise DocumentError(f"{format_path(steps)} is not an item of a list")
        items = self.get(steps[:-1])
        _child(items, steps[-1], steps)
        target = max(0, min(new_index, len(items) - 1))
        self._checkpoint()
        items.insert(target, items.pop(steps[-1]))
        return format_path(steps[:-1] + (target,))

    def rename(self, path: str | tuple, new_name: str) -> str:
        """Move the value at ``path`` to the key ``new_name`` of the same section (to give a
        key the schema does not know the name it should have); return the new path."""
        steps = self._steps(path)
        if isinstance(steps[-1], int):
            raise DocumentError(f"{format_path(steps)} is a list item, not a key")
        section = self.get(steps[:-1])
        _child(section, steps[-1], steps)
        if new_name in section:
            raise DocumentError(f"{format_path(steps[:-1] + (new_name,))} already exists; "
                                "remove it first")
        self._checkpoint()
        section[new_name] = section.pop(steps[-1])
        return format_path(steps[:-1] + (new_name,))

    # ----- undo / redo ----------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        """Go back one change; False when there is nothing to undo."""
        return self._swap(self._undo, self._redo)

    def redo(self) -> bool:
        """Re-apply the change last undone; False when there is nothing to redo."""
        return self._swap(self._redo, self._undo)

    def _swap(self, source: list, keep: list) -> bool:
        if not source:
            return False
        keep.append(self.archive)
        self.archive = source.pop()
        return True

    # ----- validation and saving ------------------------------------------------------
    def to_json(self) -> str:
        """The file's text: the exporter's format (sorted keys, 2-space indent)."""
        return archive_text(self.archive)

    def sibling_mainfiles(self) -> set[str] | None:
        """Names of the ``*.archive.json`` files next to this one (the upload's mainfiles)."""
        if self.path is None:
            return None
        folder = self.path.parent
        names = {p.name for p in folder.glob("*.archive.json")} if folder.is_dir() else set()
        names.add(self.path.name)
        return names

    def problems(self) -> list:
        """Every problem the exporter's validator finds (Problem: path, code, message)."""
        if self.schemas is None:
            return []
        return validate_archive(
            self.archive,
            self.schemas,
            mainfile=self.path.name if self.path else None,
            upload_mainfiles=self.sibling_mainfiles(),
        )

    def warnings(self) -> list:
        """Values NOMAD accepts that cannot be physically right (negative pressure, an end
        before the start): Problems with ``severity="warning"``; they never block a save."""
        return plausibility_warnings(self.archive, self.schemas)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the archive atomically (temp file in the same folder, then rename)."""
        target = Path(path) if path else self.path
        if target is None:
            raise DocumentError("choose a file name to save to")
        text = self.to_json()
        write_atomic(target, text)
        self.path = target
        self._saved = text
        return target

    # ----- internals --------------------------------------------------------------------
    def _steps(self, path: str | tuple) -> tuple[Step, ...]:
        steps = parse_path(path) if isinstance(path, str) else tuple(path)
        if not steps:
            raise PathError("the key path is empty; start it with 'data', e.g. data.name")
        return steps

    def _peek(self, steps: tuple[Step, ...]) -> Any:
        try:
            return self.get(steps)
        except PathError:
            return None

    def _checkpoint(self) -> None:
        if self.scratch:
            return
        if self._saved == _UNCHANGED:
            self._saved = archive_text(self.archive)
        self._undo.append(copy.deepcopy(self.archive))
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()

    def _rollback(self) -> None:
        if not self.scratch:
            self.archive = self._undo.pop()

    def _make_parent(self, steps: tuple[Step, ...]) -> Any:
        node: Any = self.archive
        for depth, step in enumerate(steps[:-1]):
            following = steps[depth + 1]
            fresh: Any = [] if isinstance(following, int) else {}
            if isinstance(step, int):
                if isinstance(node, list) and step == len(node):
                    node.append(fresh)
            elif isinstance(node, dict) and node.get(step) is None:
                node[step] = fresh
            node = _child(node, step, steps[: depth + 1])
        return node


def _child(node: Any, step: Step, where: tuple) -> Any:
    if isinstance(step, int):
        if not isinstance(node, list):
            raise PathError(f"{format_path(where[:-1])} is not a list")
        if not -len(node) <= step < len(node):
            raise PathError(
                f"{format_path(where)} does not exist ({format_path(where[:-1])} has "
                f"{len(node)} item{'s' if len(node) != 1 else ''})"
            )
        return node[step]
    if not isinstance(node, dict):
        raise PathError(f"{format_path(where[:-1]) or 'the archive'} is not a section")
    if step not in node:
        raise PathError(f"{format_path(where)} is not set")
    return node[step]


def load_document(path: str | Path, profile: str | None = None,
                  fallback: str | None = None) -> ArchiveDocument:
    """Open an archive file with the schema set its ``data.m_def`` belongs to (or ``profile``).
    When the m_def names no known plugin, use ``fallback`` if given (else DocumentError)."""
    archive = read_json(path)
    try:
        name = set_name_for(archive, profile)
    except ProfileError as exc:
        if fallback is None:
            raise DocumentError(f"{path}: {exc}") from None
        name = fallback
    try:
        schemas = load_schema_set(name)
    except (KeyError, ValueError, FileNotFoundError):
        raise DocumentError(f"unknown schema set {name!r}") from None
    return ArchiveDocument(archive, schemas, path)


def new_document(m_def: str, schemas: Any, path: str | Path | None = None) -> ArchiveDocument:
    """A fresh archive holding only ``data.m_def``; DocumentError if the class is unknown."""
    if schemas.get(m_def) is None:
        raise DocumentError(f"class {m_def!r} is not in the schema set {schemas.name}")
    doc = ArchiveDocument({"data": {"m_def": m_def}}, schemas, path)
    doc._saved = None  # not on disk yet
    return doc
