"""The mapping engine: one process or step of a process document -> an archive's ``data``.

Pure functions over a loaded :class:`~cams_module.cams2nomad.profile.Profile`; problems with
the input are collected (never raised) so that a whole process can be reported at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cams_module.cams2nomad.converters import ConversionError, Target, to_yes_no
from cams_module.cams2nomad.paths import drop_empty_slots, get_value, parse_path, set_value
from cams_module.cams2nomad.plan import PartPlan, entries_plan, type_plan
from cams_module.cams2nomad.profile import Entry, Part, StepType

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
    entries: dict[str, Entry] = field(default_factory=dict)  # target -> the entry that wrote it


def is_blank(value: Any) -> bool:
    """None, empty or whitespace-only text, an empty list or object: no value to export."""
    if value is None:
        return True
    if value.__class__ is str or isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def apply_entries(m_def: str, entries: tuple[Entry, ...], document: dict,
                  fields: dict | None = None) -> Mapped:
    """Write every entry that has a value; collect conversion problems (no notes)."""
    return _apply(m_def, entries_plan(entries), document, fields or {})


def _apply(m_def: str, plan: PartPlan, document: dict, fields: dict) -> Mapped:
    data = {"m_def": m_def}
    out = Mapped(data=data)
    origins, written = out.origins, out.entries
    for is_constant, step in plan.order:
        if is_constant:
            set_value(data, step.path, step.constant)
            continue
        key = step.key
        value = (document if step.from_document else fields).get(key)
        if value.__class__ is str:
            text = value.strip()
        elif value is None or is_blank(value):
            text = ""
        else:
            text = None  # a value that is not text
        if text == "":
            if step.entry.required:
                out.problems.append(FieldProblem(key, value, "a value is required here"))
            continue
        try:
            converted = value if text is not None and step.text else step.run(value)
        except ConversionError as exc:
            out.problems.append(
                FieldProblem(key, value, f"{exc.message}; expected {exc.expected}")
            )
            continue
        if step.parents:
            step.put(data, converted)
        else:
            data[step.leaf] = converted
        entry = step.entry
        origins[entry.target] = (key, value)
        written[entry.target] = entry
        if entry.uncertain:
            out.uncertain.append(entry)
    return out


def add_notes(mapped: Mapped, unmapped: list[tuple[str, Any]]) -> None:
    """Keep ``unmapped`` values as "key: value" lines in the section's notes."""
    mapped.unmapped.extend(unmapped)
    if not unmapped:
        return
    lines = "\n".join(f"{k}: {render(v)}" for k, v in unmapped)
    existing = get_value(mapped.data, NOTES)
    block = f"{UNMAPPED_HEADER}\n{lines}"
    set_value(mapped.data, NOTES, f"{existing}\n\n{block}" if existing else block)


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
    plan = entries_plan(entries)
    out = _apply(m_def, plan, document, fields)
    unmapped = [(k, v) for k, v in document.items()
                if k not in plan.sources and k not in ignore and not is_blank(v)]
    unmapped += [(k, fields[k]) for k in sorted(fields)
                 if k not in plan.taken and not is_blank(fields[k])]
    add_notes(out, unmapped)
    drop_empty_slots(out.data)
    return out


@dataclass
class MappedStep:
    """The NOMAD entries one CAMS step became, in process order, and what stayed in notes."""

    parts: list[tuple[Part, Mapped]]  # only the entries that are written; parts[0] is main
    all_parts: tuple[Part, ...] = ()  # the step type's list, written or not
    problems: list[FieldProblem] = field(default_factory=list)
    kept: list[tuple[str, Any, str]] = field(default_factory=list)  # key, value, reason
    not_done: set[str] = field(default_factory=set)  # kept: their sub-step's switch says No
    positions: list[int] = field(default_factory=list)  # each written part's index in all_parts
    slots: list[bool] = field(default_factory=list, repr=False)  # its targets have an index
    #: switches whose "not done" answer the first entry records (CAMS field -> that entry)
    switches: dict[str, Entry] = field(default_factory=dict)
    #: values recorded for a sub-step whose switch says it was not done: (field, value, switch)
    recorded_off: list[tuple[str, Any, str]] = field(default_factory=list)


NO_ENTRY = "no entry of the profile takes this CAMS field"


def map_step(step_type: StepType, document: dict, ignore: frozenset[str]) -> MappedStep:
    """Map one CAMS step to its NOMAD entries (the profile's list for its type).

    An entry with a ``when`` switch is written only when that CAMS field says Yes; any other
    entry after the first only when it takes a CAMS value. Values no written entry takes are
    kept in the first entry's notes, each with the reason.
    """
    fields = document.get("fields") or {}
    plan = type_plan(step_type)
    out = MappedStep(parts=[], all_parts=step_type.parts)
    taken: set[str] = set()
    skipped: dict[str, str] = {}
    off: list[Part] = []  # sub-steps not written because their switch is not Yes
    switch_of: dict[str, str] = {}  # a value of such a sub-step -> its switch
    for i, (part, part_plan) in enumerate(zip(step_type.parts, plan.parts, strict=True)):
        if part.when is not None and not _switch_on(part, fields):
            reason = (f"the CAMS step says {part.when}: {render(fields.get(part.when))}, so no "
                      f"NOMAD {part.label or 'step'} is written for it")
            skipped.update({f: reason for f in part_plan.fields})
            out.not_done |= part_plan.fields
            switch_of.update({f: part.when for f in part_plan.fields if f != part.when})
            if not is_blank(fields.get(part.when)):
                off.append(part)
            continue
        mapped = _apply(part.m_def, part_plan, document, fields)
        if mapped.problems:
            seen = {p.field for p in out.problems}
            out.problems.extend(p for p in mapped.problems if p.field not in seen)  # once a field
        used = {e.field for e in mapped.entries.values() if e.field}
        if i and part.when is None and not used:
            continue
        needed = part_plan.needed
        if part.kind == "calculation" and used != needed:
            missing = ", ".join(sorted(needed - used))
            skipped.update({f: f"the {part.label} needs {', '.join(sorted(needed))}; without "
                               f"{missing} it is not written" for f in used})
            continue
        taken |= used
        if part.when:
            taken.add(part.when)
        out.parts.append((part, mapped))
        out.positions.append(i)
        out.slots.append(part_plan.may_leave_slots)
    if step_type.not_done_in is not None and off and out.parts:
        _record_switches(out, step_type.not_done_in, off, fields)
        taken |= set(out.switches)
    reasons = plan.reasons
    sources = plan.sources
    kept = [(k, v) for k, v in document.items()
            if k not in ignore and k not in sources and not is_blank(v)]
    kept += [(k, fields[k]) for k in sorted(fields) if k not in taken and not is_blank(fields[k])]
    main = out.parts[0][1] if out.parts else Mapped(data={"m_def": step_type.m_def})
    add_notes(main, kept)
    for k, v in kept:
        reason = skipped.get(k) or reasons.get(k)
        if reason is None:
            reason = NO_ENTRY if k in plan.fields else (
                f"{k!r} is not a field of the CAMS step type {step_type.name!r}")
        out.kept.append((k, v, reason))
    out.not_done = {k for k, _ in kept} & out.not_done
    out.recorded_off = [(k, v, switch_of[k]) for k, v in kept
                        if k in switch_of and not _is_zero(v)]
    for (_, mapped), slots in zip(out.parts, out.slots, strict=True):
        if slots:  # only targets with an index > 0 can leave empty list slots
            drop_empty_slots(mapped.data)
    return out


def _record_switches(out: MappedStep, entry: Entry, off: list[Part], fields: dict) -> None:
    """Name each sub-step that was not done, with the CAMS answer, in ``entry`` of the first
    NOMAD entry: ``post-exposure bake: No; hard bake: No``."""
    main = out.parts[0][1]
    text = "; ".join(f"{p.label or p.when}: {render(fields[p.when])}" for p in off)
    set_value(main.data, entry.path, text)
    main.origins[entry.target] = (off[0].when, fields[off[0].when])
    main.entries[entry.target] = entry
    if entry.uncertain:
        main.uncertain.append(entry)
    out.switches = {p.when: entry for p in off if p.when}


def _is_zero(value: Any) -> bool:
    """0, "0", "00:00:00": what a CAMS form holds for a time or temperature nobody entered."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0
    return isinstance(value, str) and "0" in value and not value.strip().strip("0:.,")


def _switch_on(part: Part, fields: dict) -> bool:
    value = fields.get(part.when)
    if is_blank(value):
        return False
    try:
        return bool(to_yes_no(value, Target("bool")))
    except ConversionError:  # e.g. "Other (see Note)": not a Yes, so no step is invented
        return False


def render(value: Any) -> str:
    """A CAMS value as readable text for the notes."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
