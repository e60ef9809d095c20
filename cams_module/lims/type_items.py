"""The reader's third layout: one jam.py item per step type, holding that type's values.

A facility's CAMS often keeps each step type's fields as typed columns of its own table
(numbers, durations, yes/no, choices, text under the CAMS names). `CamsLayout.step_type_items`
names that item per step type; each row carries the link field (`step_item_link`, e.g. a
`step_key` also stored on the steps row) that pairs it with its step. This module reads
those rows into the process document's `fields` and writes them for the demo data.
Runs inside the jam.py server process.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from cams_module.cams2nomad.field_catalogue import CamsStepType, by_name, column_name
from cams_module.lims.jam_compat import rows_with

#: jam.py's own fields of an item, never a CAMS value
SYSTEM_FIELDS = {"id", "deleted", "master_id", "master_rec_id", "owner_id", "owner_rec_id",
                 "record_version"}


def _plain(value: Any, kind: str | None) -> Any:
    """A stored column value as CAMS writes it (booleans, stored as 0/1, as Yes/No)."""
    if kind == "Yes/No" and value in (0, 1):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):  # PostgreSQL NUMERIC
        return float(value)
    return value


def read_type_values(task: Any, items: dict[str, str], link: str,
                     steps: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """{step link value: {CAMS field: value}} for `steps` [(type name, link value)],
    read from each type's item (empty columns left out)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for type_name, key in steps:
        if key and type_name in items:
            wanted[type_name].append(key)
    catalogue = by_name()
    found: dict[str, dict[str, Any]] = {}
    for type_name, keys in wanted.items():
        item = task.item_by_name(items[type_name])
        kinds = {column_name(f.name): (f.name, f.kind)
                 for f in getattr(catalogue.get(type_name), "fields", ())}
        names = [f.field_name for f in item.fields
                 if f.field_name not in SYSTEM_FIELDS and f.field_name != link]
        for row in rows_with(item, link, keys):
            values = {}
            for name in names:
                value = row.field_by_name(name).raw_value  # .value gives 0 for NULL
                if value is None or value == "":
                    continue
                cams_name, kind = kinds.get(name, (name, None))
                values[cams_name] = _plain(value, kind)
            found[row.field_by_name(link).value] = values
    return found


def new_link() -> str:
    """A fresh link value pairing a steps row with its values row."""
    return uuid.uuid4().hex


def typed(value: Any, kind: str) -> Any:
    """A document value for a typed column, or raise ValueError when it does not fit."""
    if kind == "Yes/No":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "true", "no", "false"):
            return text in ("yes", "true")
        raise ValueError(f"{value!r} is not Yes or No")
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a number")
        if kind == "integer" and value != int(value):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value) if kind == "integer" else float(value)
    return str(value)


def split_values(step_type: CamsStepType | None, fields: dict[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(typed column values, the rest): the fields the type's item holds as columns, and
    those it has no column for (or whose value does not fit its column)."""
    kinds = {f.name: f.kind for f in getattr(step_type, "fields", ())}
    columns, rest = {}, {}
    for name, value in fields.items():
        if name not in kinds or value is None or value == "":
            rest[name] = value
            continue
        try:
            columns[column_name(name)] = typed(value, kinds[name])
        except ValueError:
            rest[name] = value
    return columns, rest
