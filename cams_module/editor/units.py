"""Numbers with units: read "1.5 um" and convert it into a quantity's declared unit (pint)."""

from __future__ import annotations

import re

import pint

from cams_module.cams2nomad.units import ureg

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class UnitError(ValueError):
    """A value whose number or unit cannot be read or converted; the message says why."""


def registry() -> pint.UnitRegistry:
    """The project's one unit registry (NOMAD spellings plus sccm, slm, Torr)."""
    return ureg


def tidy_number(value: float) -> float | int:
    """Round away float noise (1500.0000000000002 -> 1500) and keep whole numbers as int."""
    rounded = float(f"{value:.12g}")
    if rounded.is_integer() and abs(rounded) < 1e15:
        return int(rounded)
    return rounded


def unit_label(unit: str | None) -> str:
    """A short human label for a declared unit ("millibar" for "mbar"); '' when unitless."""
    if not unit:
        return ""
    try:
        return f"{registry().Unit(unit):~P}" or unit
    except (pint.errors.PintError, ValueError, AttributeError):
        return unit


def parse_number(text: str, unit: str | None) -> float | int:
    """Read ``"1.5 um"`` or ``"1500"`` and return the number in ``unit`` (the declared unit).

    A bare number is taken to be in the declared unit already. A number with a unit of the
    same dimension is converted. Raise UnitError telling the user what is expected.
    """
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as many labs write it
    match = _NUMBER.match(text)
    if not match:
        expected = f"a number in {unit}" if unit else "a number"
        raise UnitError(f"{text.strip()!r} is not {expected} (e.g. '1.5'"
                        + (f" or '1.5 {unit}')" if unit else ")"))
    number = float(match.group(1))
    given = match.group(2)
    if not given:
        return tidy_number(number)
    if not unit:
        raise UnitError(f"this field has no unit; write a plain number, not {text.strip()!r}")
    try:
        converted = ureg.Quantity(number, given).to(unit).magnitude
    except pint.errors.UndefinedUnitError:
        raise UnitError(f"unknown unit {given!r}; write the number in {unit}") from None
    except pint.errors.DimensionalityError:
        raise UnitError(
            f"{given!r} cannot be converted into {unit} (different kind of quantity)"
        ) from None
    except (pint.errors.PintError, ValueError, AttributeError, TypeError) as exc:
        raise UnitError(f"cannot convert {text.strip()!r} into {unit}: {exc}") from None
    return tidy_number(float(converted))
