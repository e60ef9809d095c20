"""A step's notes (Contract 1 ``steps[].notes``) reach the NOMAD export: the demo's
MEMS-Gyro-B2 step 3 ("Backside litho", Track 2) says what its "Other (see Note)" rinse was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cams_module.cams2nomad.engine import UNMAPPED_HEADER
from cams_module.cams2nomad.profile import list_profiles, load_profile
from cams_module.export import export_process
from cams_module.schema import validate_archive

DEMO = Path(__file__).resolve().parents[1] / "task" / "demo" / "processes.json"


def demo(name: str) -> dict:
    processes = json.loads(DEMO.read_text(encoding="utf-8"))["processes"]
    return next(p for p in processes if p["process"]["name"] == name)


def step(document: dict, step_id: int) -> dict:
    return next(s for s in document["steps"] if s["id"] == step_id)


def test_the_demos_other_rinse_is_explained_in_the_steps_notes():
    litho = step(demo("MEMS-Gyro-B2"), 203)
    assert (litho["name"], litho["type"]) == ("Backside litho", "Track 2")
    assert litho["fields"]["water_rinse_and_spin_dryer"] == "Other (see Note)"
    assert "rinse" in litho["notes"].lower() and "dry" in litho["notes"].lower()


@pytest.mark.parametrize("profile", list_profiles())
def test_a_steps_notes_reach_every_nomad_entry_of_the_step(profile):
    document = demo("MEMS-Gyro-B2")
    note = step(document, 203)["notes"]
    result = export_process(document, profile=profile)
    files = [f for step_id, f in result.part_files if step_id == 203]
    main = dict(result.step_files)[203]
    assert main == "03_backside-litho.archive.json"
    notes = {f: result.archives[f]["data"].get("notes") for f in files
             if result.archives[f]["data"]["m_def"] in steps_with_notes(profile)}
    assert main in notes and all(n and n.startswith(note) for n in notes.values()), notes
    # what the profile keeps in notes follows the operator's note; "notes" is no stray field
    rest = notes[main][len(note):]
    assert not rest or rest.startswith(f"\n\n{UNMAPPED_HEADER}\n"), rest
    assert "notes" not in {u.field for u in result.report.unmapped}
    # a step without notes gets none of them
    assert note not in json.dumps(result.archives[dict(result.step_files)[201]])
    prof = load_profile(profile)
    for name in files:
        assert validate_archive(result.archives[name], prof.schemas, mainfile=name,
                                upload_mainfiles=set(result.archives)) == []


def steps_with_notes(profile: str) -> set[str]:
    """The step classes (not rate calculations) of the profile's Track 2 entries."""
    track2 = load_profile(profile).step_type("Track 2")
    return {p.m_def for p in track2.parts if p.kind == "step"}
