"""Target paths such as ``etching_steps[0].chamber_pressure``: parse, resolve, set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cams_module.schema import paths as key_path

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Segment:
    """One step of a path: a key, with a list index for repeating sub-sections."""

    name: str
    index: int | None = None

    def steps(self) -> tuple[str | int, ...]:
        """The segment as key-path steps: ``("a", 0)`` for ``a[0]``."""
        return (self.name,) if self.index is None else (self.name, self.index)


def parse_path(path: str) -> tuple[Segment, ...]:
    """``"a.b[0].c"`` -> segments; ValueError on malformed paths (spaces, empty parts...).

    Read by the one key-path parser (`schema.paths`); a profile target is stricter: every
    part is a name, optionally followed by one list index.
    """
    if not isinstance(path, str) or not path:
        raise ValueError(f"target path {path!r} is empty")
    try:
        steps = key_path.parse_path(path)
    except key_path.PathError as exc:
        raise ValueError(f"target path {path!r}: {exc}") from None
    segments: list[Segment] = []
    for step in steps:
        if isinstance(step, int) and segments and segments[-1].index is None and step >= 0:
            segments[-1] = Segment(segments[-1].name, step)
        elif isinstance(step, str) and _NAME.match(step):
            segments.append(Segment(step))
        else:
            raise ValueError(f"target path {path!r}: {step!r} is not a name or name[index]")
    if key_path.format_path([p for seg in segments for p in seg.steps()]) != path:
        raise ValueError(f"target path {path!r} is not written name.name[index]")
    return tuple(segments)


def resolve(schemas: Any, m_def: str, segments: tuple[Segment, ...]):
    """The schema Quantity a path leads to from class ``m_def``.

    Walks sub-sections (a repeating one needs an index, a single one must not have one);
    raises ValueError saying where the path leaves the schema.
    """
    cls = schemas.get(m_def)
    if cls is None:
        raise ValueError(f"class {m_def!r} is not in schema set {schemas.name!r}")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        where = ".".join(s.name for s in segments[: i + 1])
        if last:
            quantity = cls.quantities.get(seg.name)
            if quantity is None:
                hint = " (it is a sub-section)" if seg.name in cls.subsections else ""
                raise ValueError(f"{where!r} is not a quantity of {cls.m_def}{hint}")
            if seg.index is not None:
                raise ValueError(f"{where!r} is a quantity: it takes no [index]")
            return quantity
        sub = cls.subsections.get(seg.name)
        if sub is None:
            raise ValueError(f"{where!r} is not a sub-section of {cls.m_def}")
        if sub.repeats and seg.index is None:
            raise ValueError(f"{where!r} repeats: write {seg.name}[0]")
        if not sub.repeats and seg.index is not None:
            raise ValueError(f"{where!r} does not repeat: write it without [index]")
        cls = schemas.get(sub.section)
        if cls is None:
            raise ValueError(f"{where!r} holds {sub.section!r}, unknown to the schema set")
    raise ValueError("empty path")


def set_value(data: dict, segments: tuple[Segment, ...], value: Any) -> None:
    """Write ``value`` at the path in ``data``, creating sections (and list slots) on the way."""
    node = data
    for seg in segments[:-1]:
        if seg.index is None:
            node = node.setdefault(seg.name, {})
        else:
            items = node.setdefault(seg.name, [])
            while len(items) <= seg.index:
                items.append({})
            node = items[seg.index]
    node[segments[-1].name] = value


def get_value(data: dict, segments: tuple[Segment, ...]) -> Any:
    """The value at the path in ``data`` or None."""
    node: Any = data
    for seg in segments:
        if not isinstance(node, dict) or seg.name not in node:
            return None
        node = node[seg.name]
        if seg.index is not None:
            if not isinstance(node, list) or seg.index >= len(node):
                return None
            node = node[seg.index]
    return node


def drop_empty_slots(data: Any) -> Any:
    """Remove the empty ``{}`` placeholders left in lists by sparse indices (in place)."""
    if isinstance(data, dict):
        for value in data.values():
            drop_empty_slots(value)
    elif isinstance(data, list):
        data[:] = [drop_empty_slots(v) for v in data if v != {}]
    return data
