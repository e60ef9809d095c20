"""Where every CAMS value goes under ``fabrication-utilities-2.0``: the share that lands in
typed NOMAD quantities, the rate calculations (calculus), the steps one CAMS step becomes,
and the lineage rows of the export report (``cams-nomad export --report``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cams_module.api_collection import upload_file
from cams_module.cams2nomad.engine import render
from cams_module.cli.dispatch import main
from cams_module.export import ExportError, export_process, step_reference, write_zip
from cams_module.official import main as official
from cams_module.schema import validate_archive
from tests import profile_2_0_cases as cases
from tests.nomad_helpers import fast_client
from tests.profile_2_0_cases import CASES, SP, at, document, every_type_document

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "task" / "demo" / "processes.json"
SAMPLES = ROOT / "tests" / "data" / "process_documents"
ROW_KEYS = {"step_position", "step_type", "field", "value", "where", "archive", "path", "unit"}


def sample_documents() -> list[tuple[str, dict]]:
    """Every sample document that exports: the demo's processes (Faulty-Demo holds a
    deliberate mistake), tests/data/process_documents (faulty_* show how problems are
    reported) and one step of each of the 30 types."""
    docs = []
    for doc in json.loads(DEMO.read_text(encoding="utf-8"))["processes"]:
        try:
            export_process(doc)
        except ExportError:
            assert doc["process"]["name"] == "Faulty-Demo"
            continue
        docs.append((doc["process"]["name"], doc))
    for path in sorted(SAMPLES.glob("*.json")):
        if not path.name.startswith("faulty_"):
            docs.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
    return docs + [("one step of each of the 30 types", every_type_document())]


schemas = cases.schemas


def test_share_of_cams_values_in_typed_quantities_per_sample_document(schemas):
    lines = []
    for name, doc in sample_documents():
        result = export_process(doc)
        mainfiles = {n: a["data"]["m_def"] for n, a in result.archives.items()}
        for n, archive in result.archives.items():
            assert validate_archive(archive, schemas, mainfile=n, upload_mainfiles=mainfiles) == []
        report = result.report
        rows = report.fields
        values = sum(len([v for v in s["fields"].values() if v not in (None, "")])
                     for s in doc["steps"])
        assert len(rows) == values
        in_quantities = sum(r["where"] == "quantity" for r in rows)
        total, done = report.share_in_quantities(), report.share_in_quantities(done_only=True)
        assert total == pytest.approx(in_quantities / len(rows))
        lines.append(f"{name}: {in_quantities} of {len(rows)} CAMS values in typed quantities "
                     f"({total:.1%}; {done:.1%} of the values of sub-steps that were done)")
        assert total >= 0.95, lines[-1]
        # what stays in notes is listed, each with its reason, in the report the web panel
        # shows; a value of a sub-step that was not done names the switch that says so
        kept = {(r["step_position"], r["field"]) for r in rows if r["where"] == "notes"}
        listed = {(u.step_position, u.field): u for u in report.unmapped}
        assert kept == set(listed) and all(len(u.reason) > 20 for u in listed.values())
        assert all(u.reason.startswith("the CAMS step says ") for u in listed.values()
                   if u.not_done)
        panel = report.lineage()
        assert panel["in_notes"] == len(kept) and all(n["reason"] for n in panel["notes"])
        for u in listed.values():   # and the value is really in the notes of its archive
            assert f"{u.field}: {render(u.value)}" in result.archives[u.file]["data"]["notes"]
        # a number that landed in a quantity carries the quantity's unit
        for row in rows:
            if row["where"] == "quantity" and isinstance(at(
                    result.archives[row["archive"]], row["path"]), float):
                assert row["unit"], row
    print("\n" + "\n".join(lines))


def test_measured_depth_and_time_become_an_etching_rate_entry_in_the_same_upload(schemas):
    fields, _ = CASES["RIE PlasmaPro"]
    result = export_process(document("RIE PlasmaPro", fields))
    [(sid, step), (sid2, rate)] = result.part_files
    assert sid == sid2 == 101 and rate.startswith("01-2_")
    data = result.archives[rate]["data"]
    assert data["m_def"] == SP + "calculus.calculus.EtchingRate"
    assert data["inputs"] == {
        "depth": 1480.0,                                  # depth_OUT 1.48 um in nm
        "depth_reference": step_reference(step),
        "etching_time": pytest.approx(340 / 60),           # time_OUT 00:05:40 in minutes
        "etching_time_reference": step_reference(step),
    }
    assert data["name"] == "RIE PlasmaPro run: etching rate (CAMS step 1, RIE PlasmaPro)"
    process = result.archives[result.process_file]["data"]
    assert process["steps"] == [step_reference(step)]      # a calculation is not a step
    assert f"- {rate}" in process["notes"].splitlines()   # ... but the process lists it
    assert result.report.calculations == [rate]
    row = next(r for r in result.report.fields if r["field"] == "depth_OUT")
    assert row == {"step_position": 1, "step_type": "RIE PlasmaPro", "field": "depth_OUT",
                   "value": 1.48, "where": "quantity", "archive": rate,
                   "path": "data.inputs.depth", "unit": "nanometer"}


def test_thickness_without_a_time_writes_no_rate_and_keeps_the_value():
    fields = dict(CASES["LPCVD deposition"][0], Out_Time="")
    result = export_process(document("LPCVD deposition", fields))
    assert len(result.archives) == 2
    [kept] = [u for u in result.report.unmapped if u.field == "Out_Thickness"]
    assert "Out_Time" in kept.reason


def test_track_becomes_the_2_0_steps_in_order_each_named_after_its_cams_step(schemas):
    fields = dict(CASES["Track"][0], hardbake="No", harbake_time=None, hardbake_temp=None)
    result = export_process(document("Track", fields, name="Lithography M1", position=5))
    files = [f for _, f in result.part_files]
    classes = [result.archives[f]["data"]["m_def"].rsplit(".", 1)[-1] for f in files]
    assert classes == ["Spin_Coating", "Baking", "FabricationProcessStep", "Baking",
                       "SpinResistDevelopment", "Rinsing_Drying"]   # hardbake: No
    names = [result.archives[f]["data"]["name"] for f in files]
    assert names[1] == "Lithography M1: soft bake (CAMS step 5, Track)"
    assert all("(CAMS step 5, Track)" in n for n in names)
    process = result.archives[result.process_file]["data"]
    assert process["steps"] == [step_reference(f) for f in files]
    for f in files:
        data = result.archives[f]["data"]
        assert (data["step_id"], data["step_type"]) == ("101", "Track")


def test_coating_bake_and_peb_become_baking_steps_only_when_done():
    fields = dict(CASES["Coating"][0], peb="Yes")
    result = export_process(document("Coating", fields))
    bakes = [result.archives[f]["data"] for _, f in result.part_files
             if result.archives[f]["data"]["m_def"].endswith(".Baking")]
    assert [b["baking_steps"][0] for b in bakes] == [
        {"tag": "soft bake", "duration": 1.5, "baking_temperature": 115.0},
        {"tag": "PEB", "duration": 1.0, "baking_temperature": 110.0}]
    result = export_process(document("Coating", dict(CASES["Coating"][0], peb="No")))
    assert sum(result.archives[f]["data"]["m_def"].endswith(".Baking")
               for _, f in result.part_files) == 1
    not_done = {u.field for u in result.report.unmapped if u.not_done}
    assert not_done == {"peb_time", "peb_temperature"}
    # the switch itself lands in the coating entry's keywords; the two values recorded for a
    # bake that did not happen stay in notes and are warned about, naming the field
    coating = result.archives[result.step_files[0][1]]["data"]
    assert coating["keywords"] == "post-exposure bake: No"
    row = next(r for r in result.report.fields if r["field"] == "peb")
    assert (row["where"], row["path"]) == ("quantity", "data.keywords")
    assert [w.split(": recorded")[0].rsplit("field ", 1)[1] for w in result.report.warnings] \
        == ["'peb_temperature' = 110", "'peb_time' = '00:01:00'"]


def test_cli_report_has_one_lineage_row_per_cams_field(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(document("Wet Etching", CASES["Wet Etching"][0])))
    report = tmp_path / "r.json"
    assert main(["export", str(doc), "-o", str(tmp_path / "z.zip"),
                 "--report", str(report)]) == 0
    rows = json.loads(report.read_text())["fields"]
    assert [r["field"] for r in rows] == list(CASES["Wet Etching"][0])
    assert all(set(r) == ROW_KEYS for r in rows)
    by_field = {r["field"]: r for r in rows}
    assert by_field["In_Time"] == {
        "step_position": 1, "step_type": "Wet Etching", "field": "In_Time", "value": "00:05:30",
        "where": "quantity", "archive": "01_wet-etching-run.archive.json",
        "path": "data.duration_target", "unit": "minute"}
    assert by_field["Out_thickness"]["path"] == "data.inputs.depth"


def test_the_editor_reads_edits_and_validates_an_exported_rate_entry(tmp_path, capsys):
    fields, _ = CASES["DRIE"]
    result = export_process(document("DRIE", fields))
    for name, archive in result.archives.items():
        (tmp_path / name).write_text(json.dumps(archive), encoding="utf-8")
    rate = tmp_path / result.part_files[1][1]
    assert official(["get", str(rate), "data.inputs.depth"]) == 0
    assert capsys.readouterr().out == "51200.0\n"                # 51.2 um in nm
    assert official(["set", str(rate), "data.inputs.depth", "51.5 um"]) == 0
    assert json.loads(rate.read_text())["data"]["inputs"]["depth"] == pytest.approx(51500)
    assert official(["validate", str(rate)]) == 0
    capsys.readouterr()
    assert official(["set", str(rate), "data.inputs.depth_reference",
                     "../upload/archive/mainfile/missing.archive.json#data"]) != 0


def test_switches_not_done_land_in_keywords_that_the_stand_in_and_the_editor_accept(
        nomad_server, tmp_path, capsys):
    doc = every_type_document()
    result = export_process(doc)
    sid = next(s["id"] for s in doc["steps"] if s["type"] == "Track 2")
    track2 = dict(result.step_files)[sid]
    assert result.archives[track2]["data"]["keywords"] == (
        "post-exposure bake: No; rinse and dry: No")
    path = write_zip(result, tmp_path / "every-type.zip")
    with fast_client(nomad_server) as client:
        done = upload_file(path, client=client, upload_name="every type")
    assert done.process_status == "SUCCESS" and len(done.entries) == len(result.archives)
    assert all(e.process_status == "SUCCESS" and not e.errors and not e.warnings
               for e in done.entries), [(e.mainfile, e.errors, e.warnings) for e in done.entries]
    archive = tmp_path / track2
    archive.write_text(json.dumps(result.archives[track2]), encoding="utf-8")
    assert official(["get", str(archive), "data.keywords"]) == 0
    assert capsys.readouterr().out == "post-exposure bake: No; rinse and dry: No\n"
    assert official(["set", str(archive), "data.keywords", "rinse and dry: No"]) == 0
    assert official(["validate", str(archive)]) == 0
