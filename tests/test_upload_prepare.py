"""What an upload job sends: `upload_prepare.build_zip` on process documents (no jam.py)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from cams_module.lims.prepare import build_zip, no_room, profile_name, safe_name

DEMO = {d["process"]["name"]: d for d in json.loads(
    (Path(__file__).resolve().parents[1] / "task" / "demo" / "processes.json")
    .read_text("utf-8"))["processes"]}


def test_a_valid_process_gives_a_zip_and_what_the_job_needs(tmp_path):
    ready = build_zip(DEMO["Quick-Clean"], profile_name(), "Quick-Clean", str(tmp_path),
                      "cams-nomad-test-")
    assert ready.outcome == "" and ready.errors == []
    path = Path(ready.zip_path)
    assert path.name == "Quick-Clean.zip" and path.parent.name.startswith("cams-nomad-test-")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ready.sha256
    assert sorted(zipfile.ZipFile(path).namelist()) == ready.files
    steps = DEMO["Quick-Clean"]["steps"]
    assert [sid for sid, _ in ready.step_files] == [s["id"] for s in steps]
    assert ready.steps[str(steps[0]["id"])] == {"position": 1, "name": steps[0]["name"],
                                                "type": steps[0]["type"]}
    assert ready.process_file in ready.files


def test_invalid_data_name_step_and_field_and_write_nothing(tmp_path):
    ready = build_zip(DEMO["Faulty-Demo"], profile_name(), "Faulty-Demo", str(tmp_path), "x-")
    assert ready.outcome == "invalid" and ready.zip_path == ""
    [error] = ready.errors
    assert (error["step_position"], error["step_name"], error["step_type"]) == (
        2, "Trench etch", "RIE PlasmaPro")
    assert (error["field"], error["value"]) == ("time_IN", "5 minutes")
    assert ready.message.startswith(
        "Not sent to NOMAD: process 'Faulty-Demo' has 1 problem(s) to fix in CAMS. Step 2 "
        "(Trench etch, RIE PlasmaPro), field time_IN = '5 minutes'")
    assert list(tmp_path.iterdir()) == []


def test_a_zip_folder_that_cannot_be_written_is_a_failed_outcome(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    ready = build_zip(DEMO["Quick-Clean"], profile_name(), "Quick-Clean", str(not_a_folder),
                      "x-")
    assert ready.outcome == "failed" and ready.zip_path == ""
    assert "could not be written on the CAMS server" in ready.message
    assert "nothing was sent" in ready.message
    assert ready.errors[0]["message"] == ready.message
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_room_for_the_zip_and_safe_download_names():
    assert no_room() is None  # the test machine's TMPDIR has more than 1 MiB free
    assert safe_name("../..hidden") == "hidden"
    assert safe_name("") == "process"
