"""NOMAD processing errors → error objects naming the CAMS step and field."""

from __future__ import annotations

from cams_module.cams2nomad.profile import load_profile
from cams_module.lims.upload_errors import cams_field, entry_errors
from cams_module.nomad.models import Entry, Upload

PROFILE = load_profile("fabrication-utilities-2.0")
STEPS = {"101": {"position": 1, "name": "RCA clean", "type": "Wet Cleaning"},
         "102": {"position": 2, "name": "Trench etch", "type": "RIE PlasmaPro"}}
FILES = [[101, "01_rca-clean.archive.json"], [102, "02_trench-etch.archive.json"]]


def rie_target(field):
    return next(e.target for e in PROFILE.step_type("RIE PlasmaPro").entries
                if e.field == field)


def test_an_archive_path_leads_back_to_the_cams_field():
    target = rie_target("time_IN")
    assert cams_field(PROFILE, "RIE PlasmaPro", f"data.{target}: not a number") == "time_IN"
    assert cams_field(PROFILE, "RIE PlasmaPro",
                      f"02_trench-etch.archive.json: data.{target}: bad") == "time_IN"
    assert cams_field(PROFILE, "RIE PlasmaPro", "data.name: too long") == "name"
    assert cams_field(PROFILE, "RIE PlasmaPro", "the parser crashed") is None
    assert cams_field(PROFILE, None, "data.name: x") == "name"


def test_failed_entries_become_errors_naming_step_and_field():
    target = rie_target("time_IN")
    upload = Upload(upload_id="U1", process_status="SUCCESS", entries=[
        Entry("E1", "01_rca-clean.archive.json", "SUCCESS"),
        Entry("E2", "02_trench-etch.archive.json", "FAILURE",
              errors=[f"data.{target}: value -5 is below 0", "another problem"]),
        Entry("E3", "process_1_run.archive.json", "FAILURE", errors=[]),
    ], errors=["upload too large"])
    errors = entry_errors(FILES, STEPS, upload, PROFILE)
    assert [(e["step_position"], e["step_name"], e["step_type"], e["field"])
            for e in errors] == [(2, "Trench etch", "RIE PlasmaPro", "time_IN"),
                                 (2, "Trench etch", "RIE PlasmaPro", None),
                                 (None, None, None, None), (None, None, None, None)]
    assert errors[0]["message"].startswith(
        "Step 2 (Trench etch, RIE PlasmaPro), field time_IN: NOMAD could not process it")
    assert "process_1_run.archive.json" in errors[2]["message"]
    assert errors[3]["message"] == "NOMAD: upload too large"
