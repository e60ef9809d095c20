"""The scriptable `official` commands: get, set, validate, new, classes."""

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cams_module.export import archive_bytes, export_process
from cams_module.official import main

EXAMPLES = Path(__file__).parent / "data" / "plugin-example-2.0.0"
DOCS = Path(__file__).parent / "data" / "process_documents"
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"


@pytest.fixture()
def upload(tmp_path):
    for f in EXAMPLES.glob("*.archive.json"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.fixture()
def rie(tmp_path, capsys):
    path = tmp_path / "etch.archive.json"
    assert main(["new", str(path), RIE]) == 0
    capsys.readouterr()
    return path


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_get_prints_scalars_plainly_and_sections_as_json(upload, capsys):
    f = upload / "Prova_cleaning.archive.json"
    assert run(capsys, "get", f, "data.name") == (0, "Prova cleaning\n", "")
    assert run(capsys, "get", f, "data.cleaning_steps[0].pump")[1] == "true\n"
    assert run(capsys, "get", f, "data.cleaning_steps[0].tank_temperature")[1] == "200\n"
    code, out, _ = run(capsys, "get", f, "data.outputs")
    assert code == 0 and json.loads(out) == {"bath_number": 1, "duration_measured": 200,
                                             "job_number": 1}
    code, _, err = run(capsys, "get", f, "data.cleaning_steps[4]")
    assert code == 2 and "cleaning_steps[4] does not exist" in err


def test_set_converts_into_the_declared_unit(rie, capsys):
    code, out, _ = run(capsys, "set", rie, "data.etching_steps[0].chamber_pressure", "30 mtorr")
    assert code == 0
    assert out == "data.etching_steps[0].chamber_pressure = 0.04 mbar\n"  # symbol, digits typed
    value = json.loads(rie.read_text())["data"]["etching_steps"][0]["chamber_pressure"]
    assert value == 0.04
    assert run(capsys, "validate", rie)[0] == 0


def test_set_enum_datetime_bool_and_list(upload, rie, capsys):
    assert run(capsys, "set", rie, "data.wafer_side", "Back")[0] == 0
    assert run(capsys, "set", rie, "data.starting_date", "2025-03-02T09:00:00+01:00")[0] == 0
    assert run(capsys, "set", rie, "data.endpoint", "yes")[0] == 0
    data = json.loads(rie.read_text())["data"]
    assert (data["wafer_side"], data["starting_date"], data["endpoint"]) == (
        "back", "2025-03-02T09:00:00+01:00", True)
    process = upload / "Processo_prova.archive.json"
    code, _, _ = run(capsys, "set", process, "data.steps",
                     "Prova_PEB.archive.json, Prova_ebl.archive.json")
    assert code == 0
    assert json.loads(process.read_text())["data"]["steps"] == [
        "../upload/archive/mainfile/Prova_PEB.archive.json#data",
        "../upload/archive/mainfile/Prova_ebl.archive.json#data",
    ]


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("data.etching_steps[0].chamber_pressure", "30 kg", "cannot be converted into mbar"),
        ("data.starting_date", "2025-03-02T09:00:00", "no time zone"),
        ("data.wafer_side", "sideways", "choose one of: front, back"),
        ("data.endpoint", "perhaps", "not yes or no"),
        ("data.chamber_pressure", "3", "RIE has no quantity 'chamber_pressure'"),
        ("data.etching_steps", "3", "is a sub-section"),
    ],
)
def test_set_refuses_what_does_not_fit(rie, capsys, path, value, fragment):
    before = rie.read_text()
    code, _, err = run(capsys, "set", rie, path, value)
    assert code != 0
    assert fragment in err and path in err
    assert rie.read_text() == before


def test_set_refuses_a_reference_to_a_missing_file(upload, capsys):
    process = upload / "Processo_prova.archive.json"
    before = process.read_text()
    code, _, err = run(capsys, "set", process, "data.steps", "Missing.archive.json")
    assert code == 1
    assert "data.steps[0]" in err and "was not changed" in err
    assert process.read_text() == before


def test_set_keeps_unknown_keys(upload, capsys):
    f = upload / "Prova_cleaning.archive.json"
    assert run(capsys, "set", f, "data.cleaning_steps[1].tank_temperature", "353.15 K")[0] == 0
    data = json.loads(f.read_text())["data"]
    assert data["cleaning_steps"][1]["tank_temperature"] == 80
    assert data["cleaning_steps"][0]["cleaning_dumping"][0]["rinser_name"] == "De ionized water"


def test_validate_lists_each_problem_with_file_and_key_path(upload, capsys):
    files = sorted(upload.glob("*.archive.json"))
    code, out, err = run(capsys, "validate", *files)
    assert code == 1
    lines = [line for line in out.splitlines() if not line.endswith(": valid")]
    assert len(lines) == 5
    assert all(line.startswith(f"{upload / 'Prova_cleaning.archive.json'}: "
                               "data.cleaning_steps[0].cleaning_dumping[0].") for line in lines)
    assert "[unknown_key]" in lines[0]
    assert "1 of 9" in err
    good = [f for f in files if f.name != "Prova_cleaning.archive.json"]
    assert run(capsys, "validate", *good)[0] == 0


def test_validate_reports_unreadable_files(tmp_path, capsys):
    bad = tmp_path / "bad.archive.json"
    bad.write_text("{")
    unknown = tmp_path / "unknown.archive.json"
    unknown.write_text('{"data": {"m_def": "somewhere.Else"}}')
    code, out, _ = run(capsys, "validate", bad, unknown)
    assert code == 1
    assert f"{bad}: not valid JSON" in out
    assert f"{unknown}: data.m_def" in out and "--profile" in out


def test_profile_override(upload, capsys):
    f = upload / "Prova_PEB.archive.json"
    code, out, _ = run(capsys, "validate", "--profile", "fabrication-utilities-2025.04", f)
    assert code == 1 and "unknown_class" in out


def test_new_refuses_to_overwrite_and_classes_lists_process_first(rie, capsys):
    code, _, err = run(capsys, "new", rie, RIE)
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "classes")
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0] == ["fabrication-utilities-2.0",
                       "schema_packages.fabrication_utilities.FabricationProcess"]
    assert {name for name, _ in rows} == {"fabrication-utilities-2.0",
                                          "fabrication-utilities-2025.04"}
    assert ["fabrication-utilities-2.0", RIE] in rows


def test_the_installed_command_runs(upload):
    result = subprocess.run(
        [sys.executable, "-m", "cams_module.official", "validate",
         str(upload / "Prova_PEB.archive.json")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("Prova_PEB.archive.json: valid")


def test_window_without_a_display_points_to_the_commands(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = subprocess.run([sys.executable, "-m", "cams_module.official"], env=env,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot open a window" in result.stderr and "official get" in result.stderr


def test_get_data_and_list_items(upload, capsys):
    f = upload / "Processo_prova.archive.json"
    code, out, _ = run(capsys, "get", f, "data")
    keys = list(json.loads(out))
    assert code == 0 and keys == sorted(keys)  # the order files are saved in
    assert run(capsys, "get", f, "data.steps[0]")[1] == \
        "../upload/archive/mainfile/Prova_cleaning.archive.json#data\n"
    code, _, _ = run(capsys, "set", f, "data.steps[8]", "Prova_PEB.archive.json")
    assert code == 0
    assert json.loads(f.read_text())["data"]["steps"][8].endswith("Prova_PEB.archive.json#data")


def test_older_plugin_version_is_chosen_from_the_m_def(tmp_path, capsys):
    f = tmp_path / "old.archive.json"
    assert run(capsys, "new", f, "fabrication_facilities.schema_packages.remove.RIE")[0] == 0
    code, out, _ = run(capsys, "set", f, "data.chamber_pressure", "30 mtorr")
    assert code == 0
    assert json.loads(f.read_text())["data"]["chamber_pressure"] == pytest.approx(0.04, 1e-3)
    assert run(capsys, "validate", f)[0] == 0


def test_get_of_a_key_the_class_does_not_define_lists_the_valid_keys(rie, capsys):
    code, out, err = run(capsys, "get", rie, "data.no_such_key")
    assert code == 2 and out == ""
    assert "RIE has no key 'no_such_key'; its keys are: " in err
    assert "wafer_side" in err and "etching_steps" in err
    code, out, err = run(capsys, "get", rie, "data.wafer_side")  # defined, not set
    assert code == 1 and out == "" and "data.wafer_side is empty (not set)" in err


@pytest.mark.parametrize("typed", ["00:05:30", "5:30", "5.5 min", "330 s", "330"])
def test_durations_as_cams_users_write_them(rie, capsys, typed):
    code, out, err = run(capsys, "set", rie, "data.duration_target", typed)
    assert (code, err) == (0, "")
    assert out == "data.duration_target = 330 s\n"
    assert json.loads(rie.read_text())["data"]["duration_target"] == 330


def test_impossible_values_are_saved_with_a_warning(rie, capsys):
    code, out, err = run(capsys, "set", rie, "data.etching_steps[0].chamber_pressure", "-2")
    assert code == 0
    assert err == (f"warning: {rie}: data.etching_steps[0].chamber_pressure: a negative "
                   "pressure (-2 mbar) is physically impossible\n")
    code, out, _ = run(capsys, "validate", rie)
    assert code == 0 and "warning: a negative pressure" in out and out.endswith(": valid\n")


def test_export_then_set_one_value_changes_one_line(tmp_path, capsys):
    process = json.loads((DOCS / "picotcdv3.json").read_text(encoding="utf-8"))
    result = export_process(process)
    for name, archive in result.archives.items():
        (tmp_path / name).write_bytes(archive_bytes(archive))
    target = tmp_path / "06_trench-etch.archive.json"
    before = target.read_text(encoding="utf-8").splitlines()
    assert run(capsys, "set", target, "data.duration_target", "00:06:00")[0] == 0
    after = target.read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ['-    "duration_target": 330.0,', '+    "duration_target": 360,']
