"""Checking a profile's sections against a schema set: entries, NOMAD entries per step type.

Every mistake is appended to ``problems`` (naming the profile entry); nothing is raised.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cams_module.cams2nomad.converters import (
    ConversionError,
    check_choice,
    check_entry,
    type_kind,
)
from cams_module.cams2nomad.paths import parse_path, resolve
from cams_module.cams2nomad.profile_model import Entry, Part

_ENTRY_KEYS = {
    "target", "source", "field", "constant", "convert", "unit", "format",
    "required", "uncertain", "note", "values", "refers_to",
}
_SECTION_KEYS = {
    "m_def", "quantities", "note", "description", "steps_quantity", "entries", "kept_in_notes",
    "not_done_in",
}
_PART_KEYS = {"part", "m_def", "kind", "when", "quantities", "note"}
PART_KINDS = ("step", "calculation")
# A constant without "convert" is checked with the converter that suits its target.
_CONSTANT_CONVERTER = {
    "str": "text", "float": "number", "int": "integer", "bool": "yes_no",
    "enum": "enum", "datetime": "datetime",
}


def raw_list(section: Any) -> list:
    """The raw "quantities" list of a section (empty when missing or not a list)."""
    raw = section.get("quantities", []) if isinstance(section, dict) else []
    return raw if isinstance(raw, list) else []


def parse_parts(schemas: Any, raw: dict, step: dict, where: str, problems: list[str]) -> tuple:
    """The NOMAD entries of one CAMS step type: ``raw`` itself, or each of its "entries"."""
    many = "entries" in raw
    if many and ("m_def" in raw or "quantities" in raw):
        problems.append(f"{where}: give either \"m_def\"/\"quantities\" or \"entries\"")
        return ()
    raws = raw.get("entries") if many else [dict(raw, part=None)]
    if not isinstance(raws, list) or not raws:
        problems.append(f"{where}: \"entries\" must be a non-empty list of NOMAD entries")
        return ()
    parts: list[Part] = []
    for i, one in enumerate(raws):
        label = f"{where}, entry {i + 1}" if many else where
        if not isinstance(one, dict):
            problems.append(f"{label}: must be an object with \"m_def\" and \"quantities\"")
            continue
        if many:
            for key in sorted(set(one) - _PART_KEYS):
                problems.append(f"{label}: unknown key {key!r}")
            if not isinstance(one.get("part"), str) or not one["part"].strip():
                problems.append(f"{label}: \"part\" must name the part, e.g. \"soft bake\"")
        kind = one.get("kind", "step")
        if kind not in PART_KINDS:
            problems.append(f"{label}: \"kind\" must be one of {list(PART_KINDS)}")
            continue
        m_def = one.get("m_def", "")
        if not check_class(schemas, m_def, label, problems):
            continue
        notes = schemas.get(m_def).quantities.get("notes")
        if notes is None or type_kind(notes.type) != "str":
            problems.append(f"{label}: {m_def} has no text quantity 'notes' for unmapped fields")
        common = () if kind == "calculation" else section_entries(
            schemas, m_def, step, f"{label}, step section", "source", problems)
        origin = "source|field" if kind == "calculation" else "field"
        own = section_entries(schemas, m_def, one, label, origin, problems)
        check_duplicates(common + own, label, problems)
        parts.append(Part(one.get("part"), m_def, common + own, kind, one.get("when"),
                          one.get("note")))
    if len(parts) != len(raws):
        return ()
    if parts[0].kind != "step" or parts[0].when:
        problems.append(f"{where}: the first entry must be a step that is always written")
    for i, part in enumerate(parts):
        for e in part.entries:
            if e.refers_to is None:
                continue
            ok = 0 <= e.refers_to < len(parts) and parts[e.refers_to].kind == "step"
            if not ok or type_kind(e.quantity.type) != "reference":
                problems.append(f"{where}, entry {i + 1}: \"refers_to\" {e.refers_to!r} of "
                                f"{e.target!r} must be the index of a step entry and the target "
                                "a reference")
    return tuple(parts)


def not_done_entry(schemas: Any, raw: dict, parts: tuple, where: str,
                   problems: list[str]) -> Entry | None:
    """The step type's "not_done_in": a text quantity of its first entry, written by no other
    entry, that names the sub-steps whose switch is not Yes (None when not given)."""
    spec = raw.get("not_done_in")
    if spec is None:
        return None
    label = f"{where}, \"not_done_in\""
    if not isinstance(spec, dict) or set(spec) - {"target", "uncertain", "note"}:
        problems.append(f"{label}: must be an object with \"target\" (and \"uncertain\", "
                        "\"note\")")
        return None
    if not any(p.when for p in parts):
        problems.append(f"{label}: the step type has no entry with a \"when\" switch")
        return None
    entry = _entry(schemas, parts[0].m_def, dict(spec, field=None), "field", label, problems)
    if entry is None:
        return None
    if type_kind(entry.quantity.type) != "str":
        problems.append(f"{label}: {entry.target!r} must be a text quantity")
        return None
    check_duplicates(parts[0].entries + (entry,), label, problems)
    return entry


def check_section(section: Any, where: str, problems: list[str]) -> None:
    """A section must be an object with known keys only."""
    if not isinstance(section, dict):
        problems.append(f"{where}: must be an object")
        return
    for key in sorted(set(section) - _SECTION_KEYS):
        problems.append(f"{where}: unknown key {key!r}")


def check_class(schemas: Any, m_def: str, where: str, problems: list[str]) -> bool:
    """True when ``m_def`` is a class of the schema set that NOMAD can load."""
    cls = schemas.get(m_def) if m_def else None
    if cls is None:
        problems.append(f"{where}: m_def {m_def!r} is not a class of schema set {schemas.name!r}")
        return False
    if getattr(cls, "unreachable", False):
        problems.append(f"{where}: {m_def} cannot be loaded by NOMAD in {schemas.name!r}")
        return False
    return True


def section_entries(
    schemas: Any, m_def: str, section: dict, where: str, origin: str, problems: list[str]
) -> tuple[Entry, ...]:
    """The checked entries of a section's "quantities" (``origin``: "source" or "field")."""
    raw_entries = section.get("quantities", []) if isinstance(section, dict) else []
    if not isinstance(raw_entries, list):
        problems.append(f"{where}: \"quantities\" must be a list")
        return ()
    if schemas.get(m_def) is None:
        return ()
    entries = []
    for i, raw in enumerate(raw_entries):
        shown = raw.get("target") if isinstance(raw, dict) else raw
        label = f"{where}, quantity {i + 1} (target {shown!r})"
        entry = _entry(schemas, m_def, raw, origin, label, problems)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def _entry(
    schemas: Any, m_def: str, raw: Any, origin: str, label: str, problems: list[str]
) -> Entry | None:
    if not isinstance(raw, dict):
        problems.append(f"{label}: must be an object")
        return None
    bad = False
    for key in sorted(set(raw) - _ENTRY_KEYS):
        allowed = ", ".join(sorted(_ENTRY_KEYS))
        problems.append(f"{label}: unknown key {key!r} (allowed: {allowed})")
        bad = True
    sources = [k for k in ("source", "field", "constant", "refers_to") if k in raw]
    allowed = [*origin.split("|"), "constant", "refers_to"]
    if len(sources) != 1:
        problems.append(f"{label}: give exactly one of \"{origin}\" or \"constant\"")
        return None
    if sources[0] not in allowed:
        problems.append(f"{label}: use \"{origin}\" here, not \"{sources[0]}\"")
        return None
    if "refers_to" in raw:
        return _reference_entry(schemas, m_def, raw, label, problems)
    found = _target(schemas, m_def, raw, label, problems)
    if found is None:
        return None
    segments, quantity = found
    if tuple(quantity.shape or ()):
        problems.append(f"{label}: {raw['target']!r} holds a list (shape "
                        f"{list(quantity.shape)}); converters write single values")
        return None
    has_constant = "constant" in raw
    kind = type_kind(quantity.type)
    converter = raw.get("convert") or (
        _CONSTANT_CONVERTER.get(kind, "text") if has_constant else "text"
    )
    unit = raw.get("unit")
    if has_constant and unit is None and converter == "number":
        unit = quantity.unit  # a constant is written in the target's unit unless told
    values = raw.get("values")
    if values is not None:
        converter = "choice"
        reason = check_choice(values, quantity)
    else:
        reason = check_entry(converter, quantity, unit, raw.get("format"))
    if reason:
        problems.append(f"{label}: {reason}")
        return None
    entry = Entry(
        target=raw["target"],
        path=segments,
        quantity=quantity,
        source=raw.get("source"),
        field=raw.get("field"),
        constant=raw.get("constant"),
        has_constant=has_constant,
        convert=converter,
        unit=unit,
        format=raw.get("format"),
        required=bool(raw.get("required", False)),
        uncertain=bool(raw.get("uncertain", False)),
        note=raw.get("note"),
        values=tuple(values.items()) if values is not None else None,
    )
    if has_constant:
        try:
            entry = _with_constant(entry, entry.run(entry.constant))
        except ConversionError as exc:
            problems.append(f"{label}: constant {exc.message}; expected {exc.expected}")
            return None
    return None if bad else entry


def _reference_entry(
    schemas: Any, m_def: str, raw: dict, label: str, problems: list[str]
) -> Entry | None:
    found = _target(schemas, m_def, raw, label, problems)
    if found is None:
        return None
    segments, quantity = found
    if not isinstance(raw["refers_to"], int) or isinstance(raw["refers_to"], bool):
        problems.append(f"{label}: \"refers_to\" must be the index of an entry of this type")
        return None
    return Entry(target=raw["target"], path=segments, quantity=quantity, convert="reference",
                 refers_to=raw["refers_to"], uncertain=bool(raw.get("uncertain", False)),
                 note=raw.get("note"))


def _with_constant(entry: Entry, value: Any) -> Entry:

    return replace(entry, constant=value)


def check_duplicates(entries: tuple[Entry, ...], where: str, problems: list[str]) -> None:
    """No target may be written twice within one entry (a value would be lost)."""
    seen: set[str] = set()
    for e in entries:
        key = ".".join(f"{s.name}[{s.index}]" if s.index is not None else s.name for s in e.path)
        if key in seen:
            problems.append(
                f"{where}: target {e.target!r} is written twice (a value would be lost)"
            )
        seen.add(key)


def _target(
    schemas: Any, m_def: str, raw: dict, label: str, problems: list[str]
) -> tuple[tuple, Any] | None:
    """(path segments, schema quantity) of an entry's "target", or None (problem noted)."""
    try:
        segments = parse_path(raw.get("target", ""))
        return segments, resolve(schemas, m_def, segments)
    except ValueError as exc:
        problems.append(f"{label}: {exc}")
        return None
