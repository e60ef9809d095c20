"""Turn what a user types into the JSON value a quantity expects (per kind, unit, enum)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cams_module.cams2nomad.units import UnitError, is_time, parse_quantity, parse_unit

from .units import unit_label

REFERENCE_PREFIX = "../upload/archive/mainfile/"
_YES = {"yes", "y", "true", "1", "on", "si", "sì"}
_NO = {"no", "n", "false", "0", "off"}


class InputError(ValueError):
    """Typed text that does not fit the quantity; the message says what is expected."""


def is_list(quantity: Any) -> bool:
    """True for quantities with a shape such as ``["*"]`` (a list of values)."""
    return bool(getattr(quantity, "shape", ()))


def field_kind(quantity: Any) -> str:
    """The input the editor offers: text, number, integer, bool, enum, datetime,
    reference or json."""
    kind = getattr(quantity, "kind", "str")
    if getattr(quantity, "enum", None):
        return "enum"
    return {"str": "text", "float": "number", "int": "integer", "any": "text"}.get(kind, kind)


def expected(quantity: Any) -> str:
    """A short description of what the quantity accepts, for messages and the window."""
    kind = field_kind(quantity)
    unit = getattr(quantity, "unit", None)
    text = {
        "text": "text",
        "number": f"a number in {unit_label(unit)}" + (
            " (or H:M:S, e.g. 00:05:30)" if is_duration(quantity) else "") if unit
        else "a number",
        "integer": "a whole number" + (f" in {unit_label(unit)}" if unit else ""),
        "bool": "yes or no",
        "enum": "one of: " + ", ".join(getattr(quantity, "enum", None) or ()),
        "datetime": "a date and time with time zone, e.g. 2025-03-02T09:00:00+01:00",
        "reference": "a reference such as ../upload/archive/mainfile/<file>.archive.json#data",
        "json": "a JSON value",
    }.get(kind, "a value")
    return f"a list of {text}" if is_list(quantity) else text


def is_duration(quantity: Any) -> bool:
    """True for a number quantity whose declared unit is a time (seconds, minutes...)."""
    unit = getattr(quantity, "unit", None)
    if not unit or field_kind(quantity) not in ("number", "integer"):
        return False
    try:
        return is_time(parse_unit(unit))
    except ValueError:
        return False


def is_empty(text: str) -> bool:
    """True when nothing but blanks is typed (an empty optional field: clear, not wrong)."""
    return not text.strip()


def reference_to_file(name: str) -> str:
    """The in-upload reference NOMAD expects for the ``data`` section of another mainfile."""
    return f"{REFERENCE_PREFIX}{name}#data"


def parse_scalar(text: str, quantity: Any) -> Any:
    """Parse one typed value (not a list) for ``quantity``; raise InputError if it does not fit."""
    kind = field_kind(quantity)
    raw = text.strip()
    unit = getattr(quantity, "unit", None)
    if kind == "text":
        return text
    if raw == "":
        raise InputError(f"empty; expected {expected(quantity)}")
    if kind == "number":
        try:
            return parse_quantity(raw, unit, keep_input_precision=True)
        except UnitError as exc:
            raise InputError(str(exc)) from None
    if kind == "integer":
        try:
            number = parse_quantity(raw, unit, keep_input_precision=True)
        except UnitError as exc:
            raise InputError(str(exc)) from None
        if not float(number).is_integer():
            raise InputError(f"{raw!r} is not a whole number")
        return int(number)
    if kind == "bool":
        low = raw.lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
        raise InputError(f"{raw!r} is not yes or no")
    if kind == "enum":
        choices = list(getattr(quantity, "enum", None) or ())
        if raw in choices:
            return raw
        folded = [c for c in choices if c.lower() == raw.lower()]
        if len(folded) == 1:
            return folded[0]
        raise InputError(f"{raw!r} is not allowed; choose one of: {', '.join(choices)}")
    if kind == "datetime":
        return parse_datetime(raw)
    if kind == "reference":
        if "/" not in raw and "#" not in raw and raw.endswith(".json"):
            return reference_to_file(raw)
        return raw
    if kind == "json":
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                'put text in quotes, e.g. "text"'
            ) from None
    return text


def parse_datetime(raw: str) -> str:
    """ISO 8601 date-time with a time zone, normalised; naive times are refused."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(
            f"{raw!r} is not a date and time; write e.g. 2025-03-02T09:00:00+01:00"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            f"{raw!r} has no time zone; add one, e.g. {moment.isoformat()}+01:00 or Z for UTC"
        )
    return moment.isoformat()


def facility_now() -> str:
    """The current time in the facility's zone (env ``CAMS_TIMEZONE``, an IANA name such as
    Europe/Rome; default the machine's zone), to the second, with its offset."""
    name = os.environ.get("CAMS_TIMEZONE", "").strip()
    try:
        zone = ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    moment = datetime.now(zone) if zone else datetime.now().astimezone()
    return moment.replace(microsecond=0).isoformat()


def parse_value(text: str, quantity: Any) -> Any:
    """Parse typed text for ``quantity``: a scalar, or for list quantities a JSON list
    (``["a", "b"]``) or comma-separated items, each parsed like a scalar."""
    if not is_list(quantity):
        return parse_scalar(text, quantity)
    raw = text.strip()
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"cannot read the list {raw!r}: {exc.msg}") from None
        if not isinstance(items, list):
            raise InputError(f"expected {expected(quantity)}")
        texts = [item if isinstance(item, str) else json.dumps(item) for item in items]
    else:
        texts = [part for part in (p.strip() for p in raw.split(",")) if part] if raw else []
    return parse_items(texts, quantity)


def parse_items(texts: list[str], quantity: Any) -> list:
    """Parse each list item; the error names the item's position (first is [0])."""
    values = []
    for index, item in enumerate(texts):
        try:
            values.append(parse_scalar(item, quantity))
        except InputError as exc:
            raise InputError(f"item [{index}]: {exc}") from None
    return values


def display(value: Any) -> str:
    """How a stored value is shown in an input field (the inverse of parse_scalar)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def stored_text(value: Any, quantity: Any) -> str:
    """How a value will be stored, with its unit symbol: ``0.04 mbar``, ``330 s``."""
    unit = getattr(quantity, "unit", None)
    if field_kind(quantity) in ("number", "integer") and unit and value is not None:
        return f"{display(value)} {unit_label(unit)}"
    return display(value)
