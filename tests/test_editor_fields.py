"""Typed text -> archive values, per quantity of the real schema sets."""

import pytest

from cams_module.editor.fields import (
    InputError,
    display,
    expected,
    field_kind,
    parse_scalar,
    parse_value,
)
from cams_module.editor.help import field_help
from cams_module.schema import load_schema_set

RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
RIE_BASE = "schema_packages.steps.remove.etching.dry_etching.RIEbase"
PROCESS = "schema_packages.fabrication_utilities.FabricationProcess"


@pytest.fixture(scope="module")
def s20():
    return load_schema_set("fabrication-utilities-2.0")


def q(schemas, m_def, name):
    return schemas.get(m_def).quantities[name]


def test_kinds_of_real_quantities(s20):
    assert field_kind(q(s20, RIE, "name")) == "text"
    assert field_kind(q(s20, RIE_BASE, "chamber_pressure")) == "number"
    assert field_kind(q(s20, RIE, "wafer_side")) == "enum"
    assert field_kind(q(s20, RIE, "starting_date")) == "datetime"
    assert field_kind(q(s20, RIE, "endpoint")) == "bool"
    assert field_kind(q(s20, PROCESS, "steps")) == "reference"


def test_number_with_other_unit_is_converted(s20):
    pressure = q(s20, RIE_BASE, "chamber_pressure")
    assert pressure.unit == "millibar"
    assert parse_scalar("2 mbar", pressure) == 2
    assert parse_scalar("1 bar", pressure) == 1000
    with pytest.raises(InputError, match="cannot be converted into mbar"):
        parse_scalar("2 nm", pressure)
    assert "mbar" in expected(pressure) and "millibar" not in expected(pressure)
    assert parse_scalar("30 mtorr", pressure) == 0.04  # the digits typed, not 12
    assert parse_scalar("30.00 mtorr", pressure) == 0.04000


def test_durations_as_cams_writes_them(s20):
    duration = q(s20, RIE, "duration_target")
    assert duration.unit == "second"
    for text in ("00:05:30", "5:30", "05:30", "5.5 min", "330 s", "330", "0:05:30"):
        assert parse_scalar(text, duration) == 330, text
    assert parse_scalar("1:00:00", duration) == 3600
    assert "H:M:S" in expected(duration)
    with pytest.raises(InputError, match="H:M:S"):
        parse_scalar("00:75:00", duration)
    pressure = q(s20, RIE_BASE, "chamber_pressure")
    with pytest.raises(InputError, match="not a number in mbar"):
        parse_scalar("00:05", pressure)  # a clock is a time, not a pressure


def test_enum_accepts_only_its_values_case_insensitively(s20):
    side = q(s20, RIE, "wafer_side")
    assert parse_scalar("front", side) == "front"
    assert parse_scalar("BACK", side) == "back"
    with pytest.raises(InputError, match="choose one of: front, back"):
        parse_scalar("sideways", side)


def test_datetime_needs_a_time_zone(s20):
    start = q(s20, RIE, "starting_date")
    assert parse_scalar("2025-03-02T09:00:00+01:00", start) == "2025-03-02T09:00:00+01:00"
    assert parse_scalar("2025-03-02 09:00Z", start) == "2025-03-02T09:00:00+00:00"
    with pytest.raises(InputError, match="no time zone"):
        parse_scalar("2025-03-02T09:00:00", start)
    with pytest.raises(InputError, match="not a date and time"):
        parse_scalar("next tuesday", start)


def test_yes_no(s20):
    endpoint = q(s20, RIE, "endpoint")
    assert parse_scalar("yes", endpoint) is True
    assert parse_scalar("No", endpoint) is False
    assert display(True) == "yes"
    with pytest.raises(InputError, match="not yes or no"):
        parse_scalar("maybe", endpoint)


def test_list_of_references_from_file_names_or_json(s20):
    steps = q(s20, PROCESS, "steps")
    assert parse_value("a.archive.json, b.archive.json", steps) == [
        "../upload/archive/mainfile/a.archive.json#data",
        "../upload/archive/mainfile/b.archive.json#data",
    ]
    assert parse_value('["../upload/archive/mainfile/x.archive.json#data"]', steps) == [
        "../upload/archive/mainfile/x.archive.json#data"
    ]
    assert parse_value("", steps) == []


def test_list_item_errors_name_the_item(s20):
    numbers = next(
        quantity
        for cls in s20.classes.values()
        for quantity in cls.quantities.values()
        if quantity.shape and field_kind(quantity) == "number"
    )
    assert parse_value("[1, 2.5]", numbers) == [1, 2.5]
    with pytest.raises(InputError, match=r"item \[1\]"):
        parse_value("1, x", numbers)


def test_integer_refuses_fractions(s20):
    job = s20.get("schema_packages.steps.utils.WetEtchingOutputs").quantities["job_number"]
    assert parse_scalar("12", job) == 12
    with pytest.raises(InputError, match="whole number"):
        parse_scalar("1.5", job)


def test_json_fields_need_valid_json(s20):
    figure = next(
        quantity
        for cls in s20.classes.values()
        for quantity in cls.quantities.values()
        if field_kind(quantity) == "json"
    )
    assert parse_scalar('{"data": [1]}', figure) == {"data": [1]}
    assert parse_scalar('"plain"', figure) == "plain"
    with pytest.raises(InputError, match="not valid JSON"):
        parse_scalar('{"data": [', figure)


def test_help_names_the_cams_fields_from_the_mapping_profile():
    s20 = "fabrication-utilities-2.0"
    assert field_help(s20, RIE, "data.outputs[0].duration_measured") == (
        "Filled from CAMS: RIE › Out_duration, RIE Metal › Out_time, RIE PlasmaPro › time_OUT")
    assert field_help(s20, RIE, "data.name") == "Filled from CAMS: the step's name"
    assert field_help(s20, RIE, "data.etching_steps[0].chamber_pressure") is None
    assert field_help(s20, "no.such.Class", "data.x") is None
    assert field_help(None, RIE, "data.name") is None
    # the keywords of a coating entry name the sub-steps a CAMS switch says were not done
    coating = "schema_packages.steps.add.synthesis.coating.Spin_Coating"
    assert field_help(s20, coating, "data.keywords") == (
        "Filled from CAMS: Coating › bake, exposure, peb when not Yes, Track › softbake, peb, "
        "water_rinse_and_spin_dryer, hardbake when not Yes, Track 2 › softbake, peb, "
        "water_rinse_and_spin_dryer, hardbake when not Yes and 1 more")
