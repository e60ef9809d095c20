"""Named, pure converters from CAMS values to the value a NOMAD quantity declares.

Every converter has the signature ``convert(value, target, unit=None, fmt=None)``:
``target`` describes the NOMAD quantity (``.type``, ``.unit``, ``.enum`` — a Contract 2
``Quantity`` or a :class:`Target`), ``unit`` is the CAMS unit given in the profile and
``fmt`` the CAMS format (durations). A value that cannot be converted raises
:class:`ConversionError` carrying what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from cams_module.cams2nomad import units
from cams_module.cams2nomad.units import (
    clean_float,
    compatible,
    convert_quantity,
    is_time,
    parse_unit,
)


class ConversionError(ValueError):
    """A CAMS value that a converter cannot turn into the target's value."""

    def __init__(self, message: str, expected: str):
        super().__init__(message)
        self.message = message
        self.expected = expected


class TargetLike(Protocol):
    type: str
    unit: str | None
    enum: Sequence[str] | None


@dataclass(frozen=True)
class Target:
    """A NOMAD quantity as far as converters care: type name, unit, enum values."""

    type: str
    unit: str | None = None
    enum: tuple[str, ...] | None = None


FLOAT_TYPES = {"float", "float64", "float32", "np.float64", "np.float32", "np.float16"}
INT_TYPES = {"int", "int32", "int64", "np.int64", "np.int32", "np.int16", "np.int8", "np.uint64"}


def type_kind(type_name: str | None) -> str:
    """Classify a NOMAD type name: str, float, int, bool, datetime, enum, reference, other."""
    t = (type_name or "").strip()
    if t in ("str", "string"):
        return "str"
    if t in FLOAT_TYPES:
        return "float"
    if t in INT_TYPES:
        return "int"
    if t in ("bool", "np.bool_"):
        return "bool"
    if t in ("Datetime", "datetime"):
        return "datetime"
    if t.startswith("MEnum") or t == "enum":
        return "enum"
    if t.startswith("Reference") or t.startswith("reference"):
        return "reference"
    return "other"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- text
def to_text(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """Text as it is (numbers written out); lists, dicts and blanks are refused."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    raise ConversionError(f"{value!r} is not text", "text")


# ------------------------------------------------------------------------- number
def to_number(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """A float, converted from the CAMS ``unit`` into the unit the target declares."""
    try:
        number = units.parse_number(value)
    except units.UnitError as exc:
        raise ConversionError(exc.message, _number_expected(unit)) from None
    if target.unit and unit and unit != target.unit:
        try:  # the converted number is clean already
            number = convert_quantity(number, unit, target.unit)
        except Exception as exc:  # pint dimensionality errors: a profile bug caught at load
            raise ConversionError(f"cannot convert {unit} into {target.unit}",
                                  _number_expected(unit)) from exc
    else:
        number = clean_float(number)
    if not math.isfinite(number):
        raise ConversionError(f"{value!r} is too large", _number_expected(unit))
    return number


def _number_expected(unit: str | None) -> str:
    return f"a number in {unit}" if unit else "a number such as 1.5"


def _finite(number: float, value: Any, expected: str) -> float:
    if not math.isfinite(number):
        raise ConversionError(f"{value!r} is too large", expected)
    return number


# ------------------------------------------------------------------------ integer
_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")


_INT_BITS = {"np.int8": 8, "np.int16": 16, "int": 32, "np.int32": 32, "int32": 32}


def to_integer(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """A whole number: 12, 12.0 and "12" pass; "1.5", "1-10" and text are errors (never -1).

    The number must fit the target's integer type (NOMAD's ``int`` is 32-bit).
    """
    expected = "a whole number such as 12"
    if isinstance(value, bool) or value is None:
        raise ConversionError(f"{value!r} is not a whole number", expected)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.match(value.strip()):
        text = value.strip()
        number = int(text.split(".")[0]) if "." in text else int(text)
    else:
        raise ConversionError(f"{value!r} is not a whole number", expected)
    bits = _INT_BITS.get((target.type or "").strip(), 64)
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if not low <= number <= high:
        raise ConversionError(f"{value!r} is too large", f"a whole number from {low} to {high}")
    return number


# ----------------------------------------------------------------------- duration
def _clock_seconds(value: Any, fmt: str) -> float:
    try:
        return units.clock_seconds(value, fmt)
    except units.UnitError as exc:
        raise ConversionError(exc.message, exc.expected) from None


def to_duration(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """A time span in the target's declared time unit.

    ``fmt`` is "H:M:S", "M:S" or a pint time unit ("min", "s", "h"); the value then is a
    number (or numeric string) in that unit. Without ``fmt`` the CAMS ``unit`` is used.
    """
    fmt = fmt or unit
    out_unit = target.unit or "second"
    if fmt in units.CLOCK_FORMATS:
        seconds = _clock_seconds(value, fmt)
        return _finite(convert_quantity(seconds, "second", out_unit), value, f"a {fmt} time")
    if not fmt:
        raise ConversionError("no CAMS format or unit given for a duration", "a duration format")
    try:
        number = units.parse_number(value)
    except units.UnitError as exc:
        raise ConversionError(exc.message, f"a number of {fmt}") from None
    if number < 0:
        raise ConversionError(f"{value!r} is a negative duration", f"a number of {fmt} >= 0")
    seconds = convert_quantity(number, fmt, out_unit)
    if not math.isfinite(seconds):
        raise ConversionError(f"{value!r} is too large", f"a number of {fmt}")
    return seconds


# ------------------------------------------------------------------------- yes/no
_YES = {"yes", "true"}
_NO = {"no", "false"}
_YES_NO = _YES | _NO


def to_yes_no(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """Yes/No/yes/no/true/false (or a bool) -> bool, or -> the target's "Yes"/"No" enum value.

    For an enum target a value that already is one of its values passes unchanged.
    """
    is_enum = type_kind(target.type) == "enum"
    if is_enum and isinstance(value, str) and value in (target.enum or ()):
        return value
    if isinstance(value, bool):
        answer = value
    elif isinstance(value, str) and value.strip().lower() in _YES_NO:
        answer = value.strip().lower() in _YES
    else:
        enum = list(target.enum or [])
        allowed = "Yes or No" + (f" (or one of {enum})" if enum else "")
        raise ConversionError(f"{value!r} is not Yes or No", allowed)
    if not is_enum:
        return answer
    wanted = "yes" if answer else "no"
    for option in target.enum or ():
        if option.lower() == wanted:
            return option
    raise ConversionError(f"the target has no {wanted!r} value",
                          f"one of {list(target.enum or [])}")


# --------------------------------------------------------------------------- enum
def to_enum(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """One of the target's enum values (exact, or the single case-insensitive match)."""
    enum = list(target.enum or [])
    expected = f"one of {enum}"
    if not isinstance(value, str):
        raise ConversionError(f"{value!r} is not one of the allowed values", expected)
    if value in enum:
        return value
    matches = [o for o in enum if o.lower() == value.strip().lower()]
    if len(matches) == 1:
        return matches[0]
    raise ConversionError(f"{value!r} is not one of the allowed values", expected)


# ----------------------------------------------------------------------- datetime
def to_datetime(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """An ISO 8601 date-time with a time zone, normalised; naive times are errors."""
    if isinstance(value, str):  # a process's dates repeat over its steps: short ones are kept
        iso, problem = _known_iso(value) if len(value) <= 64 else _iso(value)
    elif isinstance(value, datetime):
        iso, problem = _iso(value)
    else:
        iso, problem = None, f"{value!r} is not a date-time"
    if problem is not None:
        raise ConversionError(problem, _ISO_EXPECTED)
    return iso


_ISO_EXPECTED = "an ISO 8601 date-time with time zone, e.g. 2025-03-03T10:00:00+01:00"


def _iso(value: str | datetime) -> tuple[str | None, str | None]:
    """(normalised date-time, None) or (None, what is wrong)."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"{value!r} is not an ISO 8601 date-time"
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, f"{value!r} has no time zone"
    return moment.isoformat(), None


_known_iso = lru_cache(maxsize=4096)(_iso)


def to_quantity(value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None):
    """Like ``number``, but text may carry its own unit: "480 nm", "0.48 um" or "480"."""
    if not isinstance(value, str):
        return to_number(value, target, unit)
    try:
        number = units.parse_quantity(value, unit)
    except units.UnitError as exc:
        raise ConversionError(exc.message, exc.expected) from None
    return to_number(number, target, unit)


Converter = Callable[..., Any]

CONVERTERS: dict[str, Converter] = {
    "text": to_text,
    "number": to_number,
    "integer": to_integer,
    "duration": to_duration,
    "yes_no": to_yes_no,
    "enum": to_enum,
    "datetime": to_datetime,
    "quantity": to_quantity,
}

# Which target kinds each converter can fill (checked when a profile is loaded).
TARGET_KINDS: dict[str, set[str]] = {
    "text": {"str"},
    "number": {"float"},
    "integer": {"int"},
    "duration": {"float"},
    "yes_no": {"bool", "enum"},
    "enum": {"enum"},
    "datetime": {"datetime"},
    "quantity": {"float"},
}


def convert(
    name: str, value: Any, target: TargetLike, unit: str | None = None, fmt: str | None = None
) -> Any:
    """Run converter ``name`` on ``value`` for ``target``; raises ConversionError."""
    try:
        converter = CONVERTERS[name]
    except KeyError:
        known = f"one of {sorted(CONVERTERS)}"
        raise ConversionError(f"unknown converter {name!r}", known) from None
    return converter(value, target, unit=unit, fmt=fmt)


def check_entry(name: str, target: TargetLike, unit: str | None, fmt: str | None) -> str | None:
    """Why converter ``name`` with ``unit``/``fmt`` cannot fill ``target`` (None when it can)."""
    if name not in CONVERTERS:
        return f"unknown converter {name!r} (known: {', '.join(sorted(CONVERTERS))})"
    kind = type_kind(target.type)
    if kind not in TARGET_KINDS[name]:
        return f"converter {name!r} cannot fill a {target.type} quantity"
    target_unit = _unit_or_error(target.unit)
    if isinstance(target_unit, str):
        return f"the schema's unit {target.unit!r}: {target_unit}"
    if name in ("number", "quantity"):
        if target_unit is not None and not unit:
            return (
                f"the quantity is in {target.unit}: give the CAMS unit in 'unit' "
                f"(e.g. \"unit\": \"{target.unit}\" when CAMS already stores {target.unit})"
            )
        if unit and target_unit is None:
            return f"the quantity has no unit, so a CAMS unit {unit!r} cannot be converted"
        if unit:
            return _unit_mismatch(unit, target_unit, target.unit)
    if name == "duration":
        if target_unit is None or not is_time(target_unit):
            return f"converter 'duration' needs a time quantity, not unit {target.unit!r}"
        spec = fmt or unit
        if not spec:
            return "a duration needs 'format': H:M:S, M:S, or a time unit such as min"
        if spec not in units.CLOCK_FORMATS:
            bad = _unit_mismatch(spec, target_unit, target.unit)
            if bad:
                return f"duration format {spec!r}: {bad}"
    if name in ("enum", "yes_no") and kind == "enum" and not target.enum:
        return "the enum quantity declares no values"
    if name == "yes_no" and kind == "enum":
        lowered = {o.lower() for o in target.enum or []}
        if not {"yes", "no"} <= lowered:
            return f"converter 'yes_no' needs Yes and No among {list(target.enum or [])}"
    return None


def _unit_or_error(unit: str | None):
    if not unit:
        return None
    try:
        return parse_unit(unit)
    except ValueError as exc:
        return str(exc)


def _unit_mismatch(unit: str, target_unit, target_unit_name: str | None) -> str | None:
    try:
        source = parse_unit(unit)
    except ValueError as exc:
        return str(exc)
    if not compatible(source, target_unit):
        return f"CAMS unit {unit!r} cannot be converted into {target_unit_name!r}"
    return None


# ------------------------------------------------------------------------- choice
def choose(value: Any, table: Sequence[tuple[str, Any]]) -> Any:
    """The value the profile's table gives for a CAMS value (keys compared without case)."""
    key = value if isinstance(value, str) else to_yes_no(value, Target("bool"))
    if isinstance(key, bool):
        key = "yes" if key else "no"
    wanted = key.strip().lower()
    for option, result in table:
        if option.strip().lower() == wanted:
            return result
    raise ConversionError(f"{value!r} is not one of the listed values",
                          f"one of {[o for o, _ in table]}")


def check_choice(values: Any, target: TargetLike) -> str | None:
    """Why a "values" table (CAMS value -> target value) cannot fill ``target`` (or None)."""
    if not isinstance(values, dict) or not values:
        return "\"values\" must be an object: CAMS value -> the value written"
    kind = type_kind(target.type)
    for result in values.values():
        if kind == "str" and isinstance(result, str):
            continue
        if kind == "enum" and result in (target.enum or ()):
            continue
        if kind == "bool" and isinstance(result, bool):
            continue
        return f"\"values\" result {result!r} does not fit a {target.type} quantity"
    return None
