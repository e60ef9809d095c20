"""The seed mapping's known defects, fixed under ``fabrication-utilities-2.0``: decimals and
ranges, keys NOMAD would drop, Yes/No into bool and enum targets, minutes and seconds in
the declared units, whole job numbers."""

from __future__ import annotations

import pytest

from cams_module.export import ExportError, export_process
from tests import profile_2_0_cases as cases
from tests.profile_2_0_cases import CASES, PROFILE_NAME, assert_valid, at, document, step_data

# the shared module-scoped fixture
schemas = cases.schemas


# ------------------------------------------------------------- the seed's known defects
def test_decimal_resistivity_and_pressure_are_not_minus_one():
    data = step_data(export_process(
        document("Starting Materials", dict(CASES["Starting Materials"][0], resistivity="0.02")),
        profile=PROFILE_NAME))
    assert data["wafer_resistivity"] == 0.02
    data = step_data(export_process(
        document("Electron Gun", dict(CASES["Electron Gun"][0], chamber_vacuum="5e-7")),
        profile=PROFILE_NAME))
    assert data["deposition_steps"][0]["chamber_pressure"] == 5e-7


def test_a_resistivity_range_is_an_error_naming_the_field_not_minus_one():
    doc = document("Starting Materials", dict(CASES["Starting Materials"][0], resistivity="1-10"))
    with pytest.raises(ExportError) as err:
        export_process(doc, profile=PROFILE_NAME)
    [problem] = err.value.problems
    assert (problem.field, problem.value, problem.step_type) == (
        "resistivity", "1-10", "Starting Materials")


def test_seed_keys_nomad_would_drop_land_on_real_2_0_quantities(schemas):
    cases = {
        "Labeling and Cleaning": "wafer_cleaning_rinse_spin_dryer_required",
        "Dicing": "dicing_blade_name",
        "Electron Gun": "deposition_steps[0].spin_parameters.spin_frequency",
        "Electron Gun KSE": "deposition_steps[0].spin_parameters.spin_frequency",
    }
    for step_type, path in cases.items():
        result = export_process(document(step_type, CASES[step_type][0]), profile=PROFILE_NAME)
        assert at(step_data(result), path) is not None, step_type
        assert_valid(result, schemas)


def test_yes_no_fills_bool_and_enum_targets_with_their_own_values():
    data = step_data(export_process(document("Bonding", CASES["Bonding"][0]),
                                    profile=PROFILE_NAME))
    assert data["bonding_steps"][0]["alignment_required"] == "Yes"     # MEnum
    assert data["bonding_steps"][0]["wafer_space_required"] is False   # bool
    with pytest.raises(ExportError) as err:
        export_process(document("Dicing", dict(CASES["Dicing"][0], double_dicing_film="maybe")),
                       profile=PROFILE_NAME)
    assert err.value.problems[0].field == "double_dicing_film"


def test_minutes_and_seconds_land_in_the_declared_units():
    # the PEB time of a PEB that was not done has no place in 2.0: kept verbatim in notes
    data = step_data(export_process(document("Coating", dict(CASES["Coating"][0], peb="No")),
                                    profile=PROFILE_NAME))
    assert "peb_time: 00:01:00" in data["notes"].splitlines()
    # seconds into a minute quantity (Sputtering/ElectronGun durations moved to minutes in 2.0)
    data = step_data(export_process(
        document("Sputtering KSE", dict(CASES["Sputtering KSE"][0], time_IN=45)),
        profile=PROFILE_NAME))
    assert data["duration_target"] == 0.75
    # H:M:S keeps its seconds (the seed's to_minutes_ignore dropped them)
    data = step_data(export_process(
        document("Wet Etching", dict(CASES["Wet Etching"][0], In_Time="01:02:30")),
        profile=PROFILE_NAME))
    assert data["duration_target"] == 62.5


def test_yes_no_accepts_a_bool_from_cams_for_an_enum_target():
    # the seed's "choice" passed True through into a Yes/No/Other enum (invalid there)
    fields = dict(CASES["Labeling and Cleaning"][0], Ultrasound=True, piranha_cleaning=False)
    data = step_data(export_process(document("Labeling and Cleaning", fields),
                                    profile=PROFILE_NAME))
    assert data["wafer_cleaning_DI_ultrasound_required"] == "Yes"
    assert data["wafer_cleaning_piranha_required"] == "No"


def test_job_number_must_be_a_whole_number():
    doc = document("RIE", dict(CASES["RIE"][0], process_number="77b"))
    with pytest.raises(ExportError) as err:
        export_process(doc, profile=PROFILE_NAME)
    assert err.value.problems[0].field == "process_number"
    assert "whole number" in str(err.value)
