"""What the engine does with each profile entry, worked out once per profile (not per value).

A plan holds, for a tuple of entries, a step type or one of its parts, the facts the engine
would otherwise recompute for every CAMS step: which key each entry reads, its converter
bound to its target, where it writes, and the sets of fields a part takes and needs.
Plans are remembered by the identity of the profile object they belong to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cams_module.cams2nomad.converters import CONVERTERS, choose, convert
from cams_module.cams2nomad.profile import Entry, Part, StepType

_MAX_REMEMBERED = 512  # profiles built per call (e.g. with a NOMAD's schemas) come and go


@dataclass(frozen=True, slots=True)
class EntryPlan:
    """One entry that reads a value: from where, how it is converted, where it goes."""

    entry: Entry
    key: str | None  # the document key or CAMS field read
    from_document: bool  # the step/process document itself (else its "fields")
    run: Callable[[Any], Any]  # the entry's converter, bound to its target
    parents: tuple[tuple[str, int | None], ...]  # the sections on the way: (name, list index)
    leaf: str  # the quantity's name in the last of them (``data`` itself when no parents)
    text: bool  # the "text" converter: a text value is written as it is

    def put(self, data: dict, value: Any) -> None:
        """``paths.set_value`` at the entry's target, with the path worked out once."""
        node = data
        for name, index in self.parents:
            if index is None:
                node = node.setdefault(name, {})
            else:
                items = node.setdefault(name, [])
                while len(items) <= index:
                    items.append({})
                node = items[index]
        node[self.leaf] = value


@dataclass(frozen=True)
class PartPlan:
    """One NOMAD entry of a step type, as the engine needs it."""

    order: tuple[tuple[bool, Any], ...]  # (is constant, Entry | EntryPlan) in profile order
    needed: frozenset[str]  # CAMS fields its entries read
    sources: frozenset[str]  # document keys its entries read
    taken: frozenset[str]  # every entry's ``field`` that is not None
    may_leave_slots: bool  # a target has an index > 0 (or a constant is a list or object):
    # empty list slots may need removing
    fields: frozenset[str] = frozenset()  # CAMS fields the part takes (its switch included)
    references: tuple[Entry, ...] = ()  # entries referring to another entry of the step


@dataclass(frozen=True)
class TypePlan:
    """A step type, as the engine needs it."""

    parts: tuple[PartPlan, ...]
    fields: frozenset[str]
    sources: frozenset[str]
    reasons: dict[str, str]


_remembered: dict[int, tuple[Any, Any]] = {}


def _remember(owner: Any, build: Callable[[Any], Any]) -> Any:
    found = _remembered.get(id(owner))
    if found is not None and found[0] is owner:
        return found[1]
    if len(_remembered) >= _MAX_REMEMBERED:
        _remembered.clear()
    plan = build(owner)
    _remembered[id(owner)] = (owner, plan)
    return plan


def _runner(entry: Entry) -> Callable[[Any], Any]:
    """``entry.run`` with the converter looked up once."""
    if entry.values is not None:
        table = entry.values
        return lambda value: choose(value, table)
    converter = CONVERTERS.get(entry.convert)
    target, unit, fmt = entry.quantity, entry.unit, entry.format
    if converter is None:  # reported by the converter lookup, as entry.run would
        name = entry.convert
        return lambda value: convert(name, value, target, unit, fmt)
    return lambda value: converter(value, target, unit, fmt)


def _build_entries(entries: tuple[Entry, ...]) -> PartPlan:
    order: list[tuple[bool, Any]] = []
    for entry in entries:
        if entry.has_constant:
            order.append((True, entry))
        elif entry.refers_to is None:  # references are resolved once archives have names
            from_document = entry.source is not None
            order.append((False, EntryPlan(
                entry, entry.source if from_document else entry.field, from_document,
                _runner(entry), tuple((seg.name, seg.index) for seg in entry.path[:-1]),
                entry.path[-1].name, entry.values is None and entry.convert == "text")))
    slots = any(s.index for e in entries for s in e.path) or any(
        isinstance(e.constant, list | dict) for e in entries if e.has_constant)
    return PartPlan(
        order=tuple(order),
        needed=frozenset(e.field for e in entries if e.field),
        sources=frozenset(e.source for e in entries if e.source is not None),
        taken=frozenset(e.field for e in entries if e.field is not None),
        may_leave_slots=slots,
        references=tuple(e for e in entries if e.refers_to is not None))


def entries_plan(entries: tuple[Entry, ...]) -> PartPlan:
    """The plan of a tuple of entries (a process section or a part)."""
    return _remember(entries, _build_entries)


def part_plan(part: Part) -> PartPlan:
    """The plan of one part of a step type."""

    return _remember(part, lambda p: replace(entries_plan(p.entries), fields=frozenset(p.fields)))


def type_plan(step_type: StepType) -> TypePlan:
    """The plan of a step type: its parts' plans, fields, document keys and reasons."""
    return _remember(step_type, lambda t: TypePlan(
        tuple(part_plan(p) for p in t.parts), frozenset(t.fields), frozenset(t.sources),
        dict(t.kept_in_notes)))
