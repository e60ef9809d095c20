"""Warnings (not errors) for values that cannot be physically right: a negative pressure,
frequency, duration, power, flow, length or volume; a temperature below absolute zero; a
step that ends before it starts. NOMAD would accept them, so they never block a save."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from cams_module.cams2nomad.units import parse_unit, unit_symbol, ureg
from cams_module.schema.model import SchemaSet
from cams_module.schema.paths import Step, format_path
from cams_module.schema.validate import Problem

# Kinds of quantity that are never below zero, by pint dimensionality.
_NEVER_NEGATIVE = {
    "pressure": "[mass] / [length] / [time] ** 2",
    "frequency": "1 / [time]",
    "duration": "[time]",
    "power": "[mass] * [length] ** 2 / [time] ** 3",
    "flow": "[length] ** 3 / [time]",
    "length": "[length]",
    "area": "[length] ** 2",
    "volume": "[length] ** 3",
}
_DIMENSIONS = {ureg.get_dimensionality(text): name for name, text in _NEVER_NEGATIVE.items()}
_PAIRS = (("starting_date", "ending_date"), ("start_time", "end_time"))
ABSOLUTE_ZERO_K = 0.0


def plausibility_warnings(archive: dict, schemas: SchemaSet | None) -> list[Problem]:
    """Every physically impossible value of ``archive`` (``severity="warning"``)."""
    if schemas is None or not isinstance(archive.get("data"), dict):
        return []
    out: list[Problem] = []
    data = archive["data"]
    _walk(data, schemas.get(str(data.get("m_def", ""))), ("data",), schemas, out)
    return out


def _walk(section: dict, cls: Any, steps: tuple[Step, ...], schemas: SchemaSet,
          out: list[Problem]) -> None:
    own = schemas.get(str(section.get("m_def", ""))) if section.get("m_def") else None
    cls = own or cls
    if cls is None:
        return
    for name, quantity in cls.quantities.items():
        if name in section:
            warning = value_warning(section[name], quantity)
            if warning:
                out.append(Problem(format_path(steps + (name,)), "implausible", warning,
                                   "warning"))
    for start, end in _PAIRS:
        if start in cls.quantities and end in cls.quantities:
            warning = order_warning(section.get(start), section.get(end), start, end)
            if warning:
                out.append(Problem(format_path(steps + (end,)), "implausible", warning,
                                   "warning"))
    for name, sub in cls.subsections.items():
        value = section.get(name)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, dict):
                where = steps + ((name, index) if isinstance(value, list) else (name,))
                _walk(item, schemas.get(sub.section), where, schemas, out)


@lru_cache(maxsize=256)
def _unit_facts(unit: str) -> tuple[str | None, float | None]:
    """(kind never below zero, or None; absolute zero in ``unit`` for a temperature, or
    None) of a declared unit; cached, pint's dimensionality is slow."""
    try:
        declared = parse_unit(unit)
    except ValueError:
        return None, None
    kind = _DIMENSIONS.get(declared.dimensionality)
    zero = None
    if declared.dimensionality == ureg.kelvin.dimensionality and "delta" not in unit:
        zero = float(ureg.Quantity(ABSOLUTE_ZERO_K, "kelvin").to(declared).magnitude)
    return kind, zero


def value_warning(value: Any, quantity: Any) -> str | None:
    """Why ``value`` of ``quantity`` cannot be physically right, or None."""
    unit = getattr(quantity, "unit", None)
    if not unit or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    kind, zero = _unit_facts(unit)
    if kind and value < 0:
        return f"a negative {kind} ({value} {unit_symbol(unit)}) is physically impossible"
    if zero is not None and value < zero:
        return f"{value} {unit_symbol(unit)} is below absolute zero ({zero:g} {unit_symbol(unit)})"
    return None


def order_warning(start: Any, end: Any, start_name: str, end_name: str) -> str | None:
    """A message when the end time is before the start time (both ISO 8601), else None."""
    try:
        begin, finish = datetime.fromisoformat(str(start)), datetime.fromisoformat(str(end))
    except ValueError:
        return None
    if (begin.tzinfo is None) != (finish.tzinfo is None):
        return None
    if finish < begin:
        return f"{end_name} {end} is before {start_name} {start}"
    return None
