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


def unit_symbol(unit: str | None) -> str:
    """The unit as people write it ("mbar" for "millibar", "°C", "µm"); '' when unitless."""
    if not unit:
        return ""
    try:
        return f"{parse_unit(unit):~P}" or unit
    except ValueError:
        return unit


CLOCK_FORMATS = {"H:M:S": ("hour", "minute", "second"), "M:S": ("minute", "second")}
_CLOCK_PART = re.compile(r"^\d+(\.\d+)?$")
_CLOCK_FACTORS = {"hour": 3600.0, "minute": 60.0, "second": 1.0}


def clock_seconds(value: Any, fmt: str) -> float:
    """Seconds of a duration written on a clock: ``fmt`` "H:M:S" ("01:30:00") or "M:S"
    ("05:30"); minutes and seconds below 60, only the seconds may have decimals."""
    names = CLOCK_FORMATS[fmt]
    example = "01:30:00" if fmt == "H:M:S" else "05:30"
    expected = f"a duration written {fmt}, e.g. {example}"
    if not isinstance(value, str):
        raise UnitError(f"{value!r} is not written {fmt}", expected)
    parts = value.strip().split(":")
    if len(parts) != len(names) or not all(_CLOCK_PART.match(p.strip()) for p in parts):
        raise UnitError(f"{value!r} is not written {fmt}", expected)
    numbers = [float(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]) or any("." in p for p in parts[:-1]):
        raise UnitError(f"{value!r} is not a valid {fmt} time", expected)
    return sum(n * _CLOCK_FACTORS[name] for n, name in zip(numbers, names, strict=True))


def _significant_digits(number_text: str) -> int:
    """Significant digits written in a number ("30" -> 2, "0.040" -> 2, "1.5e3" -> 2)."""
    mantissa = re.split(r"[eE]", number_text.strip().lstrip("+-"))[0].replace(",", ".")
    digits = mantissa.replace(".", "").lstrip("0")
    return max(len(digits), 1)


def round_significant(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def keep_precision(value: float, written: str, exact_digits: int = 6,
                   min_digits: int = 3) -> float | int:
    """A converted number stored sensibly: exact when the conversion needs at most
    ``exact_digits`` significant digits (300 K -> 26.85 °C, 1 h -> 3600 s), else rounded
    to the digits the user wrote (at least ``min_digits``): 30 mtorr -> 0.04 mbar."""
    if round_significant(value, exact_digits) == clean_float(value):
        return tidy_number(value)
    digits = max(_significant_digits(written), min_digits)
    return tidy_number(round_significant(value, digits))


def parse_quantity(text: str, unit: str | None, *,
                   keep_input_precision: bool = False) -> float | int:
    """Read ``"1.5 um"`` or ``"1500"`` and return the number in ``unit`` (the declared unit).

    A bare number is taken to be in the declared unit already; a number with a unit of the
    same dimension is converted. When ``unit`` is a time, a clock time is read too:
    "00:05:30" (H:M:S) or "05:30" (M:S). With ``keep_input_precision`` a converted number
    keeps the precision it was written with (see ``keep_precision``) instead of 14 digits.
    Raise UnitError telling the user what is expected, units written as symbols (mbar, °C).
    """
    symbol = unit_symbol(unit)
    expected = f"a number in {symbol}" if unit else "a number"
    raw = text.strip()
    if unit and ":" in raw and is_time(parse_unit(unit)):
        fmt = "H:M:S" if raw.count(":") == 2 else "M:S"
        try:
            seconds = clock_seconds(raw, fmt)
        except UnitError as exc:
            raise UnitError(f"{exc.message}; write a duration as H:M:S (00:05:30), "
                            f"M:S (05:30) or with a unit (5.5 min, 330 s)",
                            exc.expected) from None
        converted = convert_quantity(seconds, "second", unit)
        if keep_input_precision:
            return keep_precision(converted, f"{seconds:g}")
        return tidy_number(converted)
    if ":" in raw:
        raise UnitError(f"{raw!r} is not {expected}; a clock time (H:M:S) fits only a "
                        "duration", expected)
    match = _NUMBER_AND_UNIT.match(text)
    if not match:
        raise UnitError(f"{raw!r} is not {expected} (e.g. '1.5'"
                        + (f" or '1.5 {symbol}')" if unit else ")"), expected)
    number = parse_number(match.group(1))
    given = match.group(2)
    if not given:
        return tidy_number(number)
    if not unit:
        raise UnitError(f"this field has no unit; write a plain number, not {raw!r}",
                        "a plain number")
    try:
        converted = ureg.Quantity(number, given).to(unit).magnitude
    except pint.errors.UndefinedUnitError:
        raise UnitError(f"unknown unit {given!r}; write the number in {symbol}",
                        expected) from None
    except pint.errors.DimensionalityError:
        raise UnitError(f"{given!r} cannot be converted into {symbol} (different kind of "
                        "quantity)", expected) from None
    except (pint.errors.PintError, ValueError, AttributeError, TypeError, SyntaxError):
        raise UnitError(f"cannot read {raw!r} as a number with a unit; write e.g. "
                        f"'1.5 {symbol}'", expected) from None
    if keep_input_precision:
        return keep_precision(float(converted), match.group(1))
    return tidy_number(float(converted))
