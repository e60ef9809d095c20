"""The reader adapter: CAMS records (jam.py items) → the process document (Contract 1).

This is the one place that knows how CAMS stores a process. `CamsLayout` names the items
and fields it reads; a CAMS whose tables differ passes its own layout (see
docs/plugin-guide.md, "Adapting the reader"):

    layout = CamsLayout(processes="runs", steps="run_steps", step_types="recipes",
                        process_fields={"name": "title", ...})
    document = read_process(task, 17, layout)

Step fields are read from three places, whichever the layout names: one item per step
type holding that type's fields as typed columns (`step_type_items`, the demo's layout,
`lims/type_items.py`), one JSON text field (`step_values_json`: {CAMS field name: value}),
or columns of the steps item (`step_value_columns`). Date-times
are CAMS's naive local times and get the facility's zone (`lims/times.py`). Runs inside the
jam.py server process; `task` is jam.py's task object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cams_module.cams2nomad.field_catalogue import load_catalogue
from cams_module.lims.times import to_iso
from cams_module.lims.type_items import read_type_values

PROCESS_KEYS = ("name", "description", "owner", "project", "start_date", "end_date", "notes")
STEP_KEYS = ("position", "name", "date", "operator", "notes")
#: step keys a CAMS may lack a field for (steps without notes, as CAMS built before them)
OPTIONAL_STEP_KEYS = ("notes",)


def catalogue_items() -> dict[str, str]:
    """Step type name -> its values item, named from the CAMS field catalogue."""
    return {t.name: t.item_name for t in load_catalogue()}


class ProcessNotFound(LookupError):
    """No process with that id in CAMS."""


@dataclass(frozen=True)
class CamsLayout:
    """Where CAMS keeps processes and steps: item names and field names."""

    processes: str = "processes"
    steps: str = "steps"
    step_types: str = "step_types"
    step_type_name: str = "name"
    #: process document key -> CAMS field of the processes item
    process_fields: dict[str, str] = field(default_factory=lambda: {
        "name": "name", "description": "description", "owner": "owner_login",
        "project": "project", "start_date": "start_date", "end_date": "end_date",
        "notes": "notes"})
    #: step document key -> CAMS field of the steps item
    step_fields: dict[str, str] = field(default_factory=lambda: {
        "position": "position", "name": "name", "date": "date", "operator": "operator",
        "notes": "notes"})
    #: the steps field holding the step type (a lookup to `step_types`)
    step_type_field: str = "step_type"
    #: the steps field holding the type's values as a JSON object; None if columns are used
    step_values_json: str | None = "field_values"
    #: step type name -> {CAMS field name: steps column}, for a CAMS with value columns
    step_value_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    #: step type name -> the item holding that type's values as columns; None if not used
    step_type_items: dict[str, str] | None = field(default_factory=catalogue_items)
    #: the field, on the steps item and on each step type's item, pairing a step with
    #: its values row
    step_item_link: str = "step_key"


DEFAULT_LAYOUT = CamsLayout()
_active = DEFAULT_LAYOUT


def use_layout(layout: CamsLayout) -> None:
    """Make `layout` the one every reader, status and job function uses (call it once,
    e.g. from the task's `on_created`)."""
    global _active
    _active = layout


def active_layout() -> CamsLayout:
    """The layout in use (DEFAULT_LAYOUT unless `use_layout` chose another)."""
    return _active


def _value(item: Any, name: str, optional: bool = False) -> Any:
    found = item.field_by_name(name)
    if found is None and optional:  # a CAMS without that field: nothing to read
        return None
    value = found.value
    return None if value == "" else value


def _plain(key: str, value: Any) -> Any:
    if key in ("start_date", "end_date", "date"):
        return to_iso(value)
    return value


def step_type_names(task: Any, layout: CamsLayout | None = None) -> dict[int, str]:
    """Step type id -> name, from the step type catalogue."""
    layout = layout or _active
    types = task.item_by_name(layout.step_types).copy(handlers=False, details=False)
    types.open(fields=["id", layout.step_type_name])
    return {t.id.value: t.field_by_name(layout.step_type_name).value for t in types}


def step_values(step: Any, type_name: str, layout: CamsLayout) -> dict[str, Any]:
    """The step type's CAMS fields and their values, as stored (empty columns left out)."""
    values: dict[str, Any] = {}
    if layout.step_values_json:
        text = step.field_by_name(layout.step_values_json).value
        if text:
            loaded = json.loads(text)
            if not isinstance(loaded, dict):
                raise ValueError("the step's field values are not a JSON object")
            values.update(loaded)
    for cams_name, column in layout.step_value_columns.get(type_name, {}).items():
        value = _value(step, column)
        if value is not None:
            values[cams_name] = value
    return values


def read_process(task: Any, process_id: int, layout: CamsLayout | None = None) -> dict:
    """The process document of one CAMS process, steps in position order.

    Raises ProcessNotFound when there is no such process, and ValueError naming the step
    when a step's stored field values are not a JSON object.
    """
    layout = layout or _active
    processes = task.item_by_name(layout.processes).copy(handlers=False, details=False)
    processes.set_where(id=process_id)
    processes.open()
    if processes.record_count() != 1:
        raise ProcessNotFound(f"There is no process with id {process_id} in CAMS.")
    process = {"id": processes.id.value}
    for key, cams_field in layout.process_fields.items():
        process[key] = _plain(key, _value(processes, cams_field))
    names = step_type_names(task, layout)
    steps_item = task.item_by_name(layout.steps).copy(handlers=False, details=False)
    steps_item.set_where(master_id=processes.ID, master_rec_id=process_id)
    steps_item.open()
    typed = {}
    if layout.step_type_items:
        link = layout.step_item_link
        typed = read_type_values(task, layout.step_type_items, link, [
            (names.get(s.field_by_name(layout.step_type_field).value),
             s.field_by_name(link).value) for s in steps_item])
    steps = []
    for step in steps_item:
        type_name = names.get(step.field_by_name(layout.step_type_field).value)
        doc = {"id": step.id.value}
        for key, cams_field in layout.step_fields.items():
            doc[key] = _plain(key, _value(step, cams_field, key in OPTIONAL_STEP_KEYS))
        doc["type"] = type_name
        try:
            doc["fields"] = step_values(step, type_name, layout)
            if layout.step_type_items:
                doc["fields"].update(typed.get(step.field_by_name(
                    layout.step_item_link).value, {}))
        except ValueError as err:
            raise ValueError(f"Step {doc.get('position')} ({doc.get('name')}, {type_name}) "
                             f"of process {process_id}: {err}; fix it in CAMS.") from err
        steps.append(doc)
    steps.sort(key=lambda s: (s.get("position") is None, s.get("position") or 0, s["id"]))
    return {"process": process, "steps": steps}
