"""The one pint UnitRegistry shared by every conversion, with NOMAD's unit spellings."""

from __future__ import annotations

from functools import lru_cache

import pint

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
# Spellings used by facilities or NOMAD schemas that pint does not know out of the box.
ureg.define("standard_cubic_centimeter_per_minute = centimeter ** 3 / minute = sccm")
ureg.define("Torr = torr")
ureg.define("standard_liter_per_minute = liter / minute = slm")


@lru_cache(maxsize=512)
def parse_unit(name: str) -> pint.Unit:
    """Return the pint unit for a unit string such as "mtorr", "ohm*cm" or "celsius".

    Raises ``ValueError`` naming the string when pint cannot parse it.
    """
    try:
        return ureg.parse_units(name.strip())
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise ValueError(f"unknown unit {name!r}") from exc


def is_time(unit: pint.Unit) -> bool:
    """True when ``unit`` measures a time span."""
    return unit.dimensionality == ureg.second.dimensionality


def is_temperature(unit: pint.Unit) -> bool:
    """True when ``unit`` is a (possibly offset) temperature such as celsius."""
    return unit.dimensionality == ureg.kelvin.dimensionality


def compatible(a: pint.Unit, b: pint.Unit) -> bool:
    """True when quantities in ``a`` can be converted into ``b``."""
    return a.dimensionality == b.dimensionality


def clean_float(x: float) -> float:
    """Drop binary conversion noise (1500.0000000000002 -> 1500.0): keep 14 significant digits."""
    return float(f"{x:.14g}")


def convert_quantity(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from ``from_unit`` into ``to_unit`` (offsets such as celsius handled)."""
    if from_unit == to_unit:
        return float(value)
    factor = _factor(from_unit, to_unit)
    if factor is not None:
        return clean_float(value * factor)
    q = ureg.Quantity(value, parse_unit(from_unit))
    return clean_float(q.to(parse_unit(to_unit)).magnitude)


@lru_cache(maxsize=1024)
def _factor(from_unit: str, to_unit: str) -> float | None:
    """The scale factor between two units, or None when the conversion has an offset."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if ureg.Quantity(0.0, source).to(target).magnitude != 0.0:
        return None
    return float(ureg.Quantity(1.0, source).to(target).magnitude)
