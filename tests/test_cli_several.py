"""The command line on what a newcomer finds: a file of several processes, a zip to
`official validate`, a file that is not text. One sentence each, never a traceback."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from cams_module.cli import main as cams_nomad
from cams_module.cli.documents import documents_in
from cams_module.official import main as official

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "task" / "demo" / "processes.json"
EXAMPLES = REPO / "tests" / "data" / "plugin-example-2.0.0"


def test_a_file_of_several_processes_says_what_it_holds_and_how_to_pick(tmp_path, capsys):
    code = cams_nomad(["export", str(DEMO), "-o", str(tmp_path / "out.zip")])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds 5 processes (1 PicoTCDv3, 2 MEMS-Gyro-B2" in err
    assert "--process NAME" in err and "Traceback" not in err
    assert not (tmp_path / "out.zip").exists()


def test_process_picks_one_by_name_or_number(tmp_path, capsys):
    assert cams_nomad(["export", str(DEMO), "-o", str(tmp_path / "q.zip"),
                       "--process", "Quick-Clean"]) == 0
    assert len(zipfile.ZipFile(tmp_path / "q.zip").namelist()) == 3
    assert cams_nomad(["export", str(DEMO), "-o", str(tmp_path / "p.zip"),
                       "--process", "1"]) == 0
    assert "PicoTCDv3" in capsys.readouterr().out or (tmp_path / "p.zip").exists()
    assert cams_nomad(["export", str(DEMO), "-o", str(tmp_path / "n.zip"),
                       "--process", "Nope"]) == 2
    assert "no process 'Nope' in the file; it holds: 1 PicoTCDv3" in capsys.readouterr().err


def test_a_folder_gets_one_zip_per_process_and_the_faulty_one_is_named(tmp_path, capsys):
    code = cams_nomad(["export", str(DEMO), "-o", str(tmp_path)])
    captured = capsys.readouterr()
    assert sorted(p.name for p in tmp_path.glob("*.zip")) == [
        "mems-gyro-b2.zip", "picotcdv3.zip", "quick-clean.zip", "sin-waveguide-07.zip"]
    assert code == 2
    assert "process Faulty-Demo:\n" in captured.err and "nothing written" in captured.err


def test_official_validate_checks_the_archives_inside_a_zip(tmp_path, capsys):
    upload = tmp_path / "some.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for path in sorted(EXAMPLES.glob("*.archive.json")):
            archive.write(path, f"upload/{path.name}")
    code = official(["validate", str(upload)])
    out = capsys.readouterr().out
    count = len(list(EXAMPLES.glob("*.archive.json")))
    shown = {line.split(": ")[0] for line in out.splitlines()}
    assert shown == {f"{upload}:upload/{p.name}" for p in EXAMPLES.glob("*.archive.json")}
    assert count == len(shown)
    assert code in (0, 1) and "Traceback" not in out


def test_official_validate_says_what_is_wrong_with_a_non_zip_or_binary_file(tmp_path, capsys):
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04\x81\x82 not a zip")
    assert official(["validate", str(fake)]) == 2
    assert "not a readable zip" in capsys.readouterr().err
    binary = tmp_path / "step.archive.json"
    binary.write_bytes(b"\x81\x82\x83")
    assert official(["validate", str(binary)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().out


def test_processes_sharing_a_name_each_get_a_zip_and_the_report_holds_every_one(tmp_path,
                                                                               capsys):
    pico = next(d for d in documents_in(json.loads(DEMO.read_text()))
                if d["process"]["name"] == "PicoTCDv3")
    twin = json.loads(json.dumps(pico))
    twin["process"]["id"] = 9999
    source = tmp_path / "twins.json"
    source.write_text(json.dumps([pico, twin]))
    out, report = tmp_path / "out", tmp_path / "report.json"
    out.mkdir()
    assert cams_nomad(["export", str(source), "-o", str(out), "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.zip")) == ["picotcdv3-2.zip", "picotcdv3.zip"]
    data = json.loads(report.read_text())
    assert [Path(row["zip"]).name for row in data["processes"]] == ["picotcdv3.zip",
                                                                     "picotcdv3-2.zip"]
    for row in data["processes"]:
        assert row["process"] == "PicoTCDv3" and row["report"]["fields"]
        assert f"process PicoTCDv3: wrote {row['zip']}" in printed
    ids = {json.dumps(row["report"]).count("9999") > 0 for row in data["processes"]}
    assert ids == {True, False}, "each zip and report is its own process"
