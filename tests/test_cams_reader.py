"""cams_reader: CAMS rows → process document (Contract 1), read in-process from the task."""

from __future__ import annotations

import datetime as dt
import json

from tests.fixtures.cams_task import REPO, run_in_task

DEMO = json.loads((REPO / "task" / "demo" / "processes.json").read_text())["processes"]

READ_ALL = """
from cams_module.lims.reader import read_process
rows = task.processes.copy(handlers=False)
rows.open(fields=["id", "name"])
result = {r.name.value: read_process(task, r.id.value) for r in rows}
"""


def yes_no(value):
    """A yes/no answer as the typed Yes/No column gives it back."""
    if isinstance(value, str) and value.lower() in ("yes", "no"):
        return value.capitalize()
    return value


def instant(text):
    return dt.datetime.fromisoformat(text) if text else None


def test_reader_returns_the_demo_documents_back(cams_task_copy):
    documents = run_in_task(cams_task_copy.path, READ_ALL, env={"CAMS_TIMEZONE": ""})
    assert set(documents) == {d["process"]["name"] for d in DEMO}
    assert any(s.get("notes") for d in DEMO for s in d["steps"]), "a step with notes"
    for original in DEMO:
        read = documents[original["process"]["name"]]
        proc, want = read["process"], original["process"]
        for key in ("name", "description", "owner", "project"):
            assert proc[key] == want[key], key
        assert instant(proc["start_date"]) == instant(want["start_date"])
        assert instant(proc["end_date"]) == instant(want["end_date"])
        assert [s["position"] for s in read["steps"]] == sorted(
            s["position"] for s in original["steps"])
        for got, step in zip(read["steps"], original["steps"], strict=True):
            assert (got["type"], got["name"], got["operator"], got["notes"]) == (
                step["type"], step["name"], step["operator"], step.get("notes"))
            assert got["fields"] == {k: yes_no(v) for k, v in step["fields"].items()}
            assert instant(got["date"]) == instant(step["date"])
            assert dt.datetime.fromisoformat(got["date"]).tzinfo is not None


def test_reader_follows_another_layout(cams_task_copy):
    body = """
from cams_module.lims.reader import CamsLayout, read_process
layout = CamsLayout(process_fields={"name": "name", "owner": "project"},
                    step_values_json=None, step_type_items=None,
                    step_value_columns={"Wet Cleaning": {"solution_type": "operator"}})
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
result = read_process(task, rows.id.value, layout)
"""
    doc = run_in_task(cams_task_copy.path, body)
    assert doc["process"] == {"id": doc["process"]["id"], "name": "Quick-Clean",
                              "owner": "Demo"}
    assert doc["steps"][0]["fields"] == {"solution_type": "m.rossi"}
    assert doc["steps"][1]["fields"] == {}


def test_reader_names_the_step_with_unreadable_values_and_unknown_ids(cams_task_copy):
    body = """
from cams_module.lims.reader import ProcessNotFound, read_process
steps = task.steps.copy()
steps.set_where(name="RCA clean")
steps.open()
steps.edit()
steps.field_values.value = "[1, 2]"
steps.post()
steps.apply()
result = {}
try:
    read_process(task, steps.master_rec_id.value)
except ValueError as err:
    result["bad"] = str(err)
try:
    read_process(task, 9999)
except ProcessNotFound as err:
    result["missing"] = str(err)
"""
    result = run_in_task(cams_task_copy.path, body)
    assert "Step 1 (RCA clean, Wet Cleaning)" in result["bad"]
    assert "9999" in result["missing"]


def test_reader_reads_each_layout_on_its_own(cams_task_copy):
    """Per-type items alone, the JSON field alone: each gives its own part of the fields."""
    body = """
from cams_module.lims.reader import CamsLayout, read_process
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
typed = CamsLayout(step_values_json=None)
as_json = CamsLayout(step_type_items=None)
result = [read_process(task, rows.id.value, layout)["steps"][0]["fields"]
          for layout in (typed, as_json)]
"""
    typed, as_json = run_in_task(cams_task_copy.path, body)
    assert typed == {"solution_type": "RCA-1", "temperature": 75.0, "duration": 10.0}
    assert as_json == {}


def test_a_cams_whose_steps_have_no_notes_field_still_reads(cams_task_copy):
    """Steps gained a Notes field in this version; a CAMS without one (built before, or a
    facility's own layout) reads as before, with no step notes."""
    body = """
from dataclasses import replace
from cams_module.lims.reader import DEFAULT_LAYOUT, read_process
rows = task.processes.copy(handlers=False)
rows.set_where(name="MEMS-Gyro-B2")
rows.open()
fields = {**DEFAULT_LAYOUT.step_fields, "notes": "no_such_field"}
read = read_process(task, rows.id.value, replace(DEFAULT_LAYOUT, step_fields=fields))
result = {"notes": [s["notes"] for s in read["steps"]], "names": [s["name"] for s in read["steps"]]}
"""
    result = run_in_task(cams_task_copy.path, body)
    assert result["notes"] == [None] * len(result["notes"]) != []
    assert "Backside litho" in result["names"]
