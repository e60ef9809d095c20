"""The mapping engine: one process or step of a process document -> an archive's ``data``.

Pure functions over a loaded :class:`~cams_module.cams2nomad.profile.Profile`; problems with
the input are collected (never raised) so that a whole process can be reported at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cams_module.cams2nomad.converters import ConversionError
from cams_module.cams2nomad.paths import drop_empty_slots, get_value, parse_path, set_value
from cams_module.cams2nomad.profile import Entry

NOTES = parse_path("notes")
UNMAPPED_HEADER = "CAMS fields without a NOMAD quantity:"


@dataclass(frozen=True)
class FieldProblem:
    """A value of the document that cannot be mapped: which key, its value, what is wrong."""

    field: str | None
    value: Any
    message: str


@dataclass
class Mapped:
    """The ``data`` section built for one process or step, and what happened on the way."""

    data: dict
    problems: list[FieldProblem] = field(default_factory=list)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)
    uncertain: list[Entry] = field(default_factory=list)
    origins: dict[str, tuple[str, Any]] = field(default_factory=dict)  # target -> (key, value)


def is_blank(value: Any) -> bool:
    """None, empty or whitespace-only text, an empty list or object: no value to export."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def map_section(
    m_def: str,
    entries: tuple[Entry, ...],
    document: dict,
    fields: dict | None = None,
    ignore: frozenset[str] = frozenset(),
) -> Mapped:
    """Apply ``entries`` to a process/step ``document`` (its CAMS ``fields`` for steps).

    Values no entry takes (document keys outside ``ignore`` and all CAMS fields) are kept as
    "key: value" lines in ``notes`` and listed in ``unmapped``.
    """
    fields = fields or {}
    out = Mapped(data={"m_def": m_def})
    for entry in entries:
        if entry.has_constant:
            set_value(out.data, entry.path, entry.constant)
            continue
        key = entry.source if entry.source is not None else entry.field
        value = document.get(key) if entry.source is not None else fields.get(key)
        if is_blank(value):
            if entry.required:
                out.problems.append(FieldProblem(key, value, "a value is required here"))
            continue
        try:
            converted = entry.run(value)
        except ConversionError as exc:
            out.problems.append(
                FieldProblem(key, value, f"{exc.message}; expected {exc.expected}")
            )
            continue
        set_value(out.data, entry.path, converted)
        out.origins[entry.target] = (key, value)
        if entry.uncertain:
            out.uncertain.append(entry)
    taken_sources = {e.source for e in entries if e.source is not None}
    taken_fields = {e.field for e in entries if e.field is not None}
    for key in document:
        if key not in taken_sources and key not in ignore and not is_blank(document[key]):
            out.unmapped.append((key, document[key]))
    for key in sorted(fields):
        if key not in taken_fields and not is_blank(fields[key]):
            out.unmapped.append((key, fields[key]))
    if out.unmapped:
        lines = "\n".join(f"{k}: {render(v)}" for k, v in out.unmapped)
        existing = get_value(out.data, NOTES)
        block = f"{UNMAPPED_HEADER}\n{lines}"
        set_value(out.data, NOTES, f"{existing}\n\n{block}" if existing else block)
    drop_empty_slots(out.data)
    return out


def render(value: Any) -> str:
    """A CAMS value as readable text for the notes."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
