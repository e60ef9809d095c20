"""Write a process document (Contract 1) into the CAMS task: demo data and tests.

The inverse of `lims/reader.py`: one `processes` row and its `steps` detail rows, the step
type looked up by name in the `step_types` catalogue. A step's CAMS fields go to its
type's item as typed columns when the task has one (the demo's layout); what no column
takes stays in the step's `field_values`. Runs inside the jam.py process.
"""

from __future__ import annotations

import json
from typing import Any

from cams_module.cams2nomad.field_catalogue import by_name
from cams_module.lims.times import from_iso
from cams_module.lims.type_items import new_link, split_values
from cams_module.status import NomadStatus


def step_type_ids(task: Any) -> dict[str, int]:
    """Step type name -> id in the `step_types` catalogue."""
    types = task.step_types.copy()
    types.open(fields=["id", "name"])
    return {t.name.value: t.id.value for t in types}


def write_process_document(task: Any, document: dict) -> int:
    """Append the document's process and steps; return the new process id."""
    type_ids = step_type_ids(task)
    proc = document["process"]
    processes = task.processes.copy()
    processes.open(open_empty=True)
    processes.append()
    for detail in processes.details:  # empty, ready for appends (jam.py 5 and 7)
        detail.open(open_empty=True)
    processes.name.value = proc["name"]
    processes.description.value = proc.get("description") or ""
    processes.owner_login.value = proc.get("owner") or ""
    processes.project.value = proc.get("project") or ""
    processes.start_date.value = from_iso(proc.get("start_date"))
    processes.end_date.value = from_iso(proc.get("end_date"))
    processes.notes.value = proc.get("notes") or ""
    processes.nomad_status.value = str(NomadStatus.NOT_UPLOADED)
    steps = processes.steps
    catalogue = by_name()
    typed_rows = []
    for step in sorted(document.get("steps", []), key=lambda s: s["position"]):
        if step["type"] not in type_ids:
            raise ValueError(
                f"Step {step['position']} ({step.get('name')}): step type '{step['type']}' "
                "is not in the step type catalogue")
        steps.append()
        steps.position.value = step["position"]
        steps.step_type.value = type_ids[step["type"]]
        steps.name.value = step.get("name") or ""
        steps.date.value = from_iso(step.get("date"))
        steps.operator.value = step.get("operator") or ""
        steps.notes.value = step.get("notes") or ""
        step_type = catalogue.get(step["type"])
        values_item = getattr(processes, step_type.item_name, None) if step_type else None
        columns, rest = split_values(step_type if values_item else None,
                                     step.get("fields") or {})
        steps.field_values.value = json.dumps(rest)
        steps.step_key.value = new_link()
        if values_item is not None:
            typed_rows.append((values_item, steps.step_key.value, columns))
        steps.post()
    for values_item, key, columns in typed_rows:
        values_item.append()
        values_item.step_key.value = key
        for name, value in columns.items():
            values_item.field_by_name(name).value = value
        values_item.post()
    processes.post()
    processes.apply()
    return processes.id.value
