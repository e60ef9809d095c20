"""`cams-nomad export | validate | profiles` as a user runs them."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cams_module.cli import main

DOCS = Path(__file__).parent / "data" / "process_documents"
OLD = "fabrication-utilities-2025.04"


def test_export_writes_zip_and_summary(tmp_path, capsys):
    out = tmp_path / "pico.zip"
    report = tmp_path / "report.json"
    code = main(["export", str(DOCS / "picotcdv3.json"), "-o", str(out), "--profile", OLD,
                 "--report", str(report)])
    stdout = capsys.readouterr().out
    assert code == 0
    assert f"wrote {out}: 11 archive(s), profile {OLD}" in stdout
    assert "unmapped (kept in notes): step 6 (RIE PlasmaPro) chamber_comment" in stdout
    assert len(zipfile.ZipFile(out).namelist()) == 11
    assert json.loads(report.read_text())["unmapped"][0]["field"] == "chamber_comment"


def test_export_problems_exit_2_one_per_line_nothing_written(tmp_path, capsys):
    out = tmp_path / "bad.zip"
    code = main(["export", str(DOCS / "faulty_values.json"), "-o", str(out), "--profile", OLD])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert len(err) == 7
    assert err[0].startswith("process 20 (Faulty-Run), step 1 (id 401, type 'RIE PlasmaPro')")
    assert err[-1] == "6 problem(s); nothing written"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "missing.json", "-o", "x.zip"], "cannot read process document"),
        (["export", "DOC", "-o", "x.zip", "--profile", "nope"], "unknown mapping profile 'nope'"),
        (["export", "DOC", "-o", "/nonexistent-dir/x.zip"], "does not exist"),
    ],
)
def test_export_usage_errors(args, message, capsys):
    args = [str(DOCS / "picotcdv3.json") if a == "DOC" else a for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_validate_clean_zip_and_dir(tmp_path, capsys):
    out = tmp_path / "p.zip"
    assert main(["export", str(DOCS / "mems_gyro_b2.json"), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0
    assert "18 archive(s) checked against fabrication-utilities-2.0: clean" in \
        capsys.readouterr().err
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(out).extractall(folder)
    assert main(["validate", str(folder), "--profile", "fabrication-utilities-2.0"]) == 0


def test_validate_reports_each_problem_with_file_and_path(tmp_path, capsys):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "01_x.archive.json").write_text(json.dumps({"data": {
        "m_def": "fabrication_facilities.schema_packages.remove.RIE",
        "depth_target": "deep", "spin_frequency ": 3}}))
    (folder / "02_y.archive.json").write_text("{not json")
    code = main(["validate", str(folder), "--profile", OLD])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert any(line.startswith("01_x.archive.json: data.depth_target:") for line in lines)
    assert any(line.startswith("01_x.archive.json: data.spin_frequency :") for line in lines)
    assert any(line.startswith("02_y.archive.json: (archive): not valid JSON") for line in lines)


def test_validate_empty_folder_is_not_clean(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "no *.archive.json found" in capsys.readouterr().err


def test_profiles_lists_names_plugins_and_step_types(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "fabrication-utilities-2.0 (default): Fabrication-utilities 2.0.0" in out
    assert f"{OLD}: " in out
    assert "  RIE PlasmaPro -> fabrication_facilities.schema_packages.remove.RIE" in out


def test_console_entry_point_runs(tmp_path):
    out = tmp_path / "w.zip"
    proc = subprocess.run(
        [sys.executable, "-m", "cams_module", "export", str(DOCS / "sin_waveguide_07.json"),
         "-o", str(out)], capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()


def test_export_judged_by_the_target_nomads_schemas(tmp_path, capsys, monkeypatch,
                                                    nomad_server):
    from cams_module.nomad.schemas import forget_cached_schemas

    forget_cached_schemas()
    monkeypatch.setenv("NOMAD_URL", nomad_server.url)
    monkeypatch.setenv("NOMAD_USERNAME", nomad_server.username)
    monkeypatch.setenv("NOMAD_PASSWORD", nomad_server.password)
    out = tmp_path / "pico.zip"
    code = main(["export", str(DOCS / "picotcdv3.json"), "-o", str(out), "--nomad"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"schemas: NOMAD at {nomad_server.url}" in captured.err
    assert nomad_server.stats()["routes"]
    assert nomad_server.password not in captured.out + captured.err
    forget_cached_schemas()


def test_export_with_nomad_but_no_configuration_says_what_to_set(tmp_path, capsys,
                                                                 monkeypatch):
    for name in ("NOMAD_URL", "NOMAD_TOKEN", "NOMAD_USERNAME", "NOMAD_PASSWORD",
                 "NOMAD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "pico.zip"
    code = main(["export", str(DOCS / "picotcdv3.json"), "-o", str(out), "--nomad"])
    assert code == 2
    assert "NOMAD_URL" in capsys.readouterr().err
    assert not out.exists()
