"""Numbers and units: the one pint registry (NOMAD's spellings) and the one parser of
numbers with units, shared by the exporter, the editor and the command line."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

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


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NUMBER_AND_UNIT = re.compile(r"^\s*([-+]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class UnitError(ValueError):
    """A number or unit that cannot be read or converted: ``message`` says what is wrong,
    ``expected`` what would be accepted."""

    def __init__(self, message: str, expected: str = ""):
        super().__init__(message)
        self.message = message
        self.expected = expected


def parse_number(value: Any) -> float:
    """A finite float from a number or a numeric string.

    A decimal comma is accepted ("1,5" -> 1.5, "0,015" -> 0.015: the facility writes Italian
    decimals) unless it could be a thousands separator: "1,500" (1.5 or 1500?) is refused.
    """
    if isinstance(value, bool) or value is None:
        raise UnitError(f"{value!r} is not a number", "a number")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range, e.g. 10**400
            raise UnitError(f"{value!r} is too large", "a number below 1e308") from None
    elif isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.match(text):
            whole, decimals = text.lstrip("+-").split(",")
            if len(decimals) == 3 and whole != "0":
                raise UnitError(
                    f"{value!r} is ambiguous (decimal comma or thousands separator?)",
                    "a number written with a decimal point, e.g. 1.5 or 1500",
                )
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            raise UnitError(f"{value!r} is not a number", "a number such as 1.5")
        number = float(text)
    else:
        raise UnitError(f"{value!r} is not a number", "a number")
    if not math.isfinite(number):
        raise UnitError(f"{value!r} is not a finite number", "a finite number")
    return number


def tidy_number(value: float) -> float | int:
    """Round away float noise (1500.0000000000002 -> 1500) and keep whole numbers as int."""
    rounded = clean_float(value)
    if rounded.is_integer() and abs(rounded) < 1e15:
        return int(rounded)
    return rounded


def parse_quantity(text: str, unit: str | None) -> float | int:
    """Read ``"1.5 um"`` or ``"1500"`` and return the number in ``unit`` (the declared unit).

    A bare number is taken to be in the declared unit already; a number with a unit of the
    same dimension is converted. Raise UnitError telling the user what is expected.
    """
    expected = f"a number in {unit}" if unit else "a number"
    match = _NUMBER_AND_UNIT.match(text)
    if not match:
        raise UnitError(f"{text.strip()!r} is not {expected} (e.g. '1.5'"
                        + (f" or '1.5 {unit}')" if unit else ")"), expected)
    number = parse_number(match.group(1))
    given = match.group(2)
    if not given:
        return tidy_number(number)
    if not unit:
        raise UnitError(f"this field has no unit; write a plain number, not {text.strip()!r}",
                        "a plain number")
    try:
        converted = ureg.Quantity(number, given).to(unit).magnitude
    except pint.errors.UndefinedUnitError:
        raise UnitError(f"unknown unit {given!r}; write the number in {unit}",
                        expected) from None
    except pint.errors.DimensionalityError:
        raise UnitError(f"{given!r} cannot be converted into {unit} (different kind of "
                        "quantity)", expected) from None
    except (pint.errors.PintError, ValueError, AttributeError, TypeError) as exc:
        raise UnitError(f"cannot convert {text.strip()!r} into {unit}: {exc}",
                        expected) from None
    return tidy_number(float(converted))
