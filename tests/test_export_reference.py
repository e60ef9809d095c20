"""The fast export paths against the slow reference paths kept in the code, on every sample
document (tests/data/process_documents and the demo's processes) with both profiles.

- An entry plan's bound converter gives what ``Entry.run`` (the converter looked up by name
  for every value) gives, the same value or the same error.
- A plan's compiled target path writes where ``paths.set_value`` writes.
- Numbers in a unit: the cached conversion factor gives pint's own answer.
- The zip built directly is the one zipfile writes for the same members.
- Every lineage row points at its value: a "quantity" row at the converted value of that
  field in that archive of the zip, a "notes" row at a "field: value" line of the notes.
"""

import copy
import io
import json
from pathlib import Path

import pytest

from cams_module.cams2nomad.converters import ConversionError
from cams_module.cams2nomad.engine import is_blank, render
from cams_module.cams2nomad.paths import parse_path, set_value
from cams_module.cams2nomad.plan import type_plan
from cams_module.cams2nomad.profile import list_profiles, load_profile
from cams_module.cams2nomad.units import clean_float, convert_quantity, parse_unit, ureg
from cams_module.export import ExportError, archive_bytes, export_process
from cams_module.export.zipping import _zipfile_members, archives_zip
from cams_module.schema import paths as key_path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "tests" / "data" / "process_documents"


def _documents() -> list[tuple[str, dict]]:
    found = [(p.stem, json.loads(p.read_text("utf-8"))) for p in sorted(DOCS.glob("*.json"))]
    demo = json.loads((REPO / "task" / "demo" / "processes.json").read_text("utf-8"))
    found += [(f"demo-{p['process']['name']}", p) for p in demo["processes"]]
    return found


DOCUMENTS = _documents()


def _steps(document: dict) -> list[dict]:
    steps = document.get("steps") if isinstance(document, dict) else None
    return [s for s in steps or [] if isinstance(s, dict) and isinstance(s.get("fields"), dict)]


def _outcome(run, value):
    try:
        return "value", run(value)
    except ConversionError as exc:
        return "error", exc.message, exc.expected


@pytest.mark.parametrize("profile", list_profiles())
def test_bound_converters_and_compiled_paths_match_the_reference(profile):
    prof = load_profile(profile)
    checked = 0
    for _, document in DOCUMENTS:
        for step in _steps(document):
            step_type = prof.step_type(step.get("type"))
            if step_type is None:
                continue
            for part_plan in type_plan(step_type).parts:
                for is_constant, planned in part_plan.order:
                    if is_constant:
                        continue
                    source = step if planned.from_document else step["fields"]
                    value = source.get(planned.key)
                    if is_blank(value):
                        continue
                    assert _outcome(planned.run, value) == _outcome(planned.entry.run, value)
                    fast: dict = {}
                    planned.put(fast, value)
                    slow: dict = {}
                    set_value(slow, planned.entry.path, value)
                    assert fast == slow, planned.entry.target
                    checked += 1
    assert checked > 200


@pytest.mark.parametrize(("value", "source", "target"), [
    (1.5, "um", "nm"), (30, "mtorr", "mbar"), (300, "kelvin", "celsius"), (20, "celsius",
                                                                          "kelvin"),
    (90, "minute", "second"), (2.5, "hour", "minute"), (12.1, "sccm", "cm**3/minute"),
    (0.04, "mbar", "Pa"), (100, "W", "kW"), (7, "nm", "nm"),
])
def test_cached_unit_conversion_is_pints_answer(value, source, target):
    expected = ureg.Quantity(float(value), parse_unit(source)).to(parse_unit(target)).magnitude
    assert convert_quantity(value, source, target) == clean_float(expected)
    assert convert_quantity(value, source, target) == clean_float(expected)  # once cached


def _value_at(archive: dict, path: str):
    node = archive
    for step in key_path.parse_path(path):
        node = node[step]
    return node


def _exports():
    for profile in list_profiles():
        for name, document in DOCUMENTS:
            try:
                yield profile, name, document, export_process(copy.deepcopy(document), profile)
            except ExportError:
                continue


EXPORTS = list(_exports())


def test_every_sample_document_exports_with_both_profiles():
    exported = {(profile, name) for profile, name, _, _ in EXPORTS}
    assert {p for p, _ in exported} == set(list_profiles())
    assert len(exported) >= 2 * 6


@pytest.mark.parametrize(("profile", "name", "document", "result"), EXPORTS,
                         ids=[f"{p}-{n}" for p, n, _, _ in EXPORTS])
def test_zip_is_the_one_zipfile_writes(profile, name, document, result):
    buffer = io.BytesIO()
    _zipfile_members(buffer, ((n, archive_bytes(result.archives[n]))
                              for n in sorted(result.archives)))
    assert archives_zip(result.archives) == buffer.getvalue()


@pytest.mark.parametrize(("profile", "name", "document", "result"), EXPORTS,
                         ids=[f"{p}-{n}" for p, n, _, _ in EXPORTS])
def test_every_lineage_row_points_at_its_value(profile, name, document, result):
    prof = load_profile(profile)
    steps = {s["position"]: s for s in _steps(document)}
    rows = result.report.fields
    expected = sum(not is_blank(v) for s in steps.values() for v in s["fields"].values()
                   if prof.step_type(s["type"]) is not None)
    assert len(rows) == expected
    for row in rows:
        step = steps[row["step_position"]]
        assert row["value"] == step["fields"][row["field"]]
        archive = result.archives[row["archive"]]
        if row["where"] == "notes":
            assert f"{row['field']}: {render(row['value'])}" in archive["data"]["notes"]
            continue
        written = _value_at(archive, row["path"])
        target = row["path"][len("data."):]
        step_type = prof.step_type(step["type"])
        entry = next(e for e in (*step_type.entries, step_type.not_done_in)
                     if e is not None and e.target == target
                     and (e.field == row["field"] or e is step_type.not_done_in))
        if entry is not step_type.not_done_in:  # a value converted by the entry
            assert written == entry.run(row["value"]), row
        else:  # a switch saying a sub-step was not done, recorded in a text quantity
            assert render(row["value"]) in written
        assert parse_path(target) == entry.path
