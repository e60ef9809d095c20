"""Mapping profiles (``profiles/<name>.json``): load, check against the schema set, list.

A profile is checked completely when it is loaded: every ``m_def`` exists, every target path
leads through sub-sections to a quantity, each converter and CAMS unit fits the target's type
and unit, no target is written twice. All mistakes are reported together, each naming the
profile entry, in a :class:`ProfileError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.converters import type_kind
from cams_module.cams2nomad.profile_check import (
    check_class,
    check_duplicates,
    check_section,
    not_done_entry,
    parse_parts,
    raw_list,
    section_entries,
)
from cams_module.cams2nomad.profile_model import Entry, Part, StepType
from cams_module.schema import load_schema_set

__all__ = ["DEFAULT_PROFILE", "Entry", "Part", "Profile", "ProfileError", "StepType",
           "list_profiles", "load_profile", "profile_classes", "profile_from_dict"]

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "fabrication-utilities-2.0"

_TOP_KEYS = {
    "profile", "schema_set", "target_plugin", "process", "step", "step_types",
    "description", "note", "judgements",
}
class ProfileError(ValueError):
    """A profile that does not fit its schema set; ``problems`` lists every mistake."""

    def __init__(self, profile: str, problems: list[str]):
        self.profile = profile
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"mapping profile {profile!r} has {len(problems)} problem(s):\n{lines}")


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
    judgements = doc.get("judgements", [])
    if not isinstance(judgements, list) or not all(
            isinstance(j, dict) and set(j) == {"about", "judgement"} for j in judgements):
        problems.append("\"judgements\" must be a list of {\"about\", \"judgement\"} objects")
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
    check_section(process, "process", problems)
    check_class(schemas, process_m_def, "process", problems)
    process_entries = section_entries(
        schemas, process_m_def, process, "process", "source", problems)
    if schemas.get(process_m_def) is not None:
        notes = schemas.get(process_m_def).quantities.get("notes")
        if notes is None or type_kind(notes.type) != "str":
            problems.append(f"process: {process_m_def} has no text quantity 'notes'")
        ref = schemas.get(process_m_def).quantities.get(steps_quantity)
        if ref is None or type_kind(ref.type) != "reference":
            problems.append(f"process: {steps_quantity!r} is not a reference quantity of "
                            f"{process_m_def} (set \"steps_quantity\")")

    step = doc.get("step") or {}
    check_section(step, "step", problems)
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
        check_section(raw, where, problems)
        parts = parse_parts(schemas, raw, step, where, problems)
        if not parts:
            continue
        kept = raw.get("kept_in_notes") or {}
        if not isinstance(kept, dict):
            problems.append(f"{where}: \"kept_in_notes\" must be an object field: reason")
            kept = {}
        every = tuple(e for p in parts for e in p.entries)
        step_entries = step_entries or next(
            (p.entries[: len(raw_list(step))] for p in parts if p.kind == "step"), ())
        step_types[type_name] = StepType(
            type_name, parts[0].m_def, every, raw.get("note"), parts,
            tuple((str(k), str(v)) for k, v in kept.items()),
            not_done_entry(schemas, raw, parts, where, problems))
    check_duplicates(process_entries, "process", problems)
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

def profile_classes(profile: Profile) -> list[str]:
    """The m_defs a profile writes as entries: its process class, every step and calculation."""
    return sorted({profile.process_m_def} | {
        p.m_def for t in profile.step_types.values() for p in t.parts})
