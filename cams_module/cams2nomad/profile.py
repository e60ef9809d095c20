"""Mapping profiles (``profiles/<name>.json``): load, check against the schema set, list.

A profile is checked completely when it is loaded: every ``m_def`` exists, every target path
leads through sub-sections to a quantity, each converter and CAMS unit fits the target's type
and unit, no target is written twice. All mistakes are reported together, each naming the
profile entry, in a :class:`ProfileError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.converters import (
    ConversionError,
    check_entry,
    convert,
    type_kind,
)
from cams_module.cams2nomad.paths import Segment, parse_path, resolve
from cams_module.schema import load_schema_set

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "fabrication-utilities-2.0"

_ENTRY_KEYS = {
    "target", "source", "field", "constant", "convert", "unit", "format",
    "required", "uncertain", "note",
}
_TOP_KEYS = {
    "profile", "schema_set", "target_plugin", "process", "step", "step_types",
    "description", "note",
}
_SECTION_KEYS = {"m_def", "quantities", "note", "description", "steps_quantity"}
# A constant without "convert" is checked with the converter that suits its target.
_CONSTANT_CONVERTER = {
    "str": "text", "float": "number", "int": "integer", "bool": "yes_no",
    "enum": "enum", "datetime": "datetime",
}


class ProfileError(ValueError):
    """A profile that does not fit its schema set; ``problems`` lists every mistake."""

    def __init__(self, profile: str, problems: list[str]):
        self.profile = profile
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"mapping profile {profile!r} has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Entry:
    """One profile line: where a value comes from, how it is converted, where it goes."""

    target: str
    path: tuple[Segment, ...]
    quantity: Any  # the schema Quantity the path resolves to
    source: str | None = None  # a process/step document key
    field: str | None = None  # a CAMS field of the step's "fields"
    constant: Any = None
    has_constant: bool = False
    convert: str = "text"
    unit: str | None = None
    format: str | None = None
    required: bool = False
    uncertain: bool = False
    note: str | None = None

    def run(self, value: Any) -> Any:
        """Convert ``value`` for this entry's target (raises ConversionError)."""
        return convert(self.convert, value, self.quantity, unit=self.unit, fmt=self.format)


@dataclass(frozen=True)
class StepType:
    """A CAMS step type: the NOMAD class it becomes and its field entries."""

    name: str
    m_def: str
    entries: tuple[Entry, ...]  # the profile's "step" entries, then this type's own
    note: str | None = None

    @property
    def fields(self) -> set[str]:
        """CAMS fields this type takes."""
        return {e.field for e in self.entries if e.field}

    @property
    def own_entries(self) -> tuple[Entry, ...]:
        """The entries that read CAMS fields or write constants (not the common step ones)."""
        return tuple(e for e in self.entries if e.source is None)


@dataclass(frozen=True)
class Profile:
    """A loaded, checked mapping profile."""

    name: str
    schema_set: str
    target_plugin: str
    process_m_def: str
    process_entries: tuple[Entry, ...]
    step_entries: tuple[Entry, ...]
    step_types: dict[str, StepType] = field(compare=False)
    schemas: Any = field(compare=False, repr=False)
    steps_quantity: str = "steps"
    description: str | None = None

    def step_type(self, name: str) -> StepType | None:
        """The step type called ``name`` (exact CAMS spelling) or None."""
        return self.step_types.get(name)


def list_profiles() -> list[str]:
    """Names of the shipped profiles, sorted."""
    return sorted(p.name[: -len(".json")] for p in PROFILE_DIR.glob("*.json"))


def load_profile(name: str | None = None, schemas: Any = None) -> Profile:
    """Load and check profile ``name`` (default: the 2.0 profile).

    ``schemas`` overrides the profile's shipped schema set (e.g. one read from a live NOMAD).
    Raises KeyError for an unknown name (listing the known ones), ProfileError for a profile
    that does not fit the schema set.
    """
    name = name or DEFAULT_PROFILE
    if schemas is None:
        return _load_cached(name)
    return _load(name, schemas)


@cache
def _load_cached(name: str) -> Profile:
    return _load(name, None)


def _load(name: str, schemas: Any) -> Profile:
    path = PROFILE_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"unknown mapping profile {name!r}; known: {', '.join(list_profiles())}")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProfileError(name, [f"{path.name} is not valid JSON: {exc}"]) from None
    return profile_from_dict(doc, name=name, schemas=schemas)


def profile_from_dict(doc: dict, name: str | None = None, schemas: Any = None) -> Profile:
    """Build and check a Profile from its parsed JSON (see :func:`load_profile`)."""
    name = name or str(doc.get("profile"))
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ProfileError(name, ["the profile is not a JSON object"])
    for key in sorted(set(doc) - _TOP_KEYS):
        allowed = ", ".join(sorted(_TOP_KEYS))
        problems.append(f"unknown top-level key {key!r} (allowed: {allowed})")
    if doc.get("profile") != name:
        problems.append(f"\"profile\" is {doc.get('profile')!r} but the file is named {name!r}")
    if schemas is None:

        try:
            schemas = load_schema_set(doc.get("schema_set", ""))
        except KeyError as exc:
            raise ProfileError(name, [str(exc.args[0])]) from None

    process = doc.get("process") or {}
    process_m_def = process.get("m_def", "")
    steps_quantity = process.get("steps_quantity", "steps")
    _check_section(process, "process", problems)
    _check_class(schemas, process_m_def, "process", problems)
    process_entries = _entries(schemas, process_m_def, process, "process", "source", problems)
    if schemas.get(process_m_def) is not None:
        notes = schemas.get(process_m_def).quantities.get("notes")
        if notes is None or type_kind(notes.type) != "str":
            problems.append(f"process: {process_m_def} has no text quantity 'notes'")
        ref = schemas.get(process_m_def).quantities.get(steps_quantity)
        if ref is None or type_kind(ref.type) != "reference":
            problems.append(f"process: {steps_quantity!r} is not a reference quantity of "
                            f"{process_m_def} (set \"steps_quantity\")")

    step = doc.get("step") or {}
    _check_section(step, "step", problems)
    step_types: dict[str, StepType] = {}
    step_entries: tuple[Entry, ...] = ()
    raw_types = doc.get("step_types")
    if not isinstance(raw_types, dict) or not raw_types:
        problems.append("\"step_types\" must be an object with at least one CAMS step type")
        raw_types = {}
    for type_name, raw in raw_types.items():
        where = f"step type {type_name!r}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object with \"m_def\" and \"quantities\"")
            continue
        _check_section(raw, where, problems)
        m_def = raw.get("m_def", "")
        if not _check_class(schemas, m_def, where, problems):
            continue
        cls = schemas.get(m_def)
        notes = cls.quantities.get("notes")
        if notes is None or type_kind(notes.type) != "str":
            problems.append(f"{where}: {m_def} has no text quantity 'notes' for unmapped fields")
        common = _entries(schemas, m_def, step, f"{where}, step section", "source", problems)
        own = _entries(schemas, m_def, raw, where, "field", problems)
        _check_duplicates(common + own, where, problems)
        step_entries = step_entries or common
        step_types[type_name] = StepType(type_name, m_def, common + own, raw.get("note"))
    _check_duplicates(process_entries, "process", problems)
    if problems:
        raise ProfileError(name, problems)
    return Profile(
        name=name,
        schema_set=schemas.name,
        target_plugin=str(doc.get("target_plugin", "")),
        process_m_def=process_m_def,
        process_entries=process_entries,
        step_entries=step_entries,
        step_types=step_types,
        schemas=schemas,
        steps_quantity=steps_quantity,
        description=doc.get("description"),
    )


def _check_section(section: Any, where: str, problems: list[str]) -> None:
    if not isinstance(section, dict):
        problems.append(f"{where}: must be an object")
        return
    for key in sorted(set(section) - _SECTION_KEYS):
        problems.append(f"{where}: unknown key {key!r}")


def _check_class(schemas: Any, m_def: str, where: str, problems: list[str]) -> bool:
    cls = schemas.get(m_def) if m_def else None
    if cls is None:
        problems.append(f"{where}: m_def {m_def!r} is not a class of schema set {schemas.name!r}")
        return False
    if getattr(cls, "unreachable", False):
        problems.append(f"{where}: {m_def} cannot be loaded by NOMAD in {schemas.name!r}")
        return False
    return True


def _entries(
    schemas: Any, m_def: str, section: dict, where: str, origin: str, problems: list[str]
) -> tuple[Entry, ...]:
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
    sources = [k for k in ("source", "field", "constant") if k in raw]
    if len(sources) != 1:
        problems.append(f"{label}: give exactly one of \"{origin}\" or \"constant\"")
        return None
    if sources[0] not in (origin, "constant"):
        problems.append(f"{label}: use \"{origin}\" here, not \"{sources[0]}\"")
        return None
    try:
        segments = parse_path(raw.get("target", ""))
        quantity = resolve(schemas, m_def, segments)
    except ValueError as exc:
        problems.append(f"{label}: {exc}")
        return None
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
    )
    if has_constant:
        try:
            entry = _with_constant(entry, entry.run(entry.constant))
        except ConversionError as exc:
            problems.append(f"{label}: constant {exc.message}; expected {exc.expected}")
            return None
    return None if bad else entry


def _with_constant(entry: Entry, value: Any) -> Entry:

    return replace(entry, constant=value)


def _check_duplicates(entries: tuple[Entry, ...], where: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for e in entries:
        key = ".".join(f"{s.name}[{s.index}]" if s.index is not None else s.name for s in e.path)
        if key in seen:
            problems.append(
                f"{where}: target {e.target!r} is written twice (a value would be lost)"
            )
        seen.add(key)


def profile_classes(profile: Profile) -> list[str]:
    """The m_defs a profile writes as entries: its process class and every step class."""
    return sorted({profile.process_m_def} | {t.m_def for t in profile.step_types.values()})
