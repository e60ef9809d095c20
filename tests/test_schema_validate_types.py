"""The one validator on quantity values: types (str, bool, float, int, datetime, enum; units
named by their symbols) and shapes, with their codes, paths and messages."""

import pytest

from cams_module.schema import validate_archive
from tests import schema_validate_cases as cases
from tests.schema_validate_cases import only, rie

# the shared module-scoped fixture
s20 = cases.s20


# ---------------------------------------------------------------- quantity types


@pytest.mark.parametrize("value", ["RIE", ""])
def test_str_ok(s20, value):
    assert validate_archive(rie(name=value), s20) == []


@pytest.mark.parametrize("value", [5, True, 1.5])
def test_str_bad(s20, value):
    p = only(validate_archive(rie(name=value), s20), "type")
    assert p.path == "data.name" and "text" in p.message and repr(value) in p.message


def test_bool(s20):
    assert validate_archive(rie(endpoint=False), s20) == []
    for bad in (1, "true", "Yes"):
        p = only(validate_archive(rie(endpoint=bad), s20), "type")
        assert "true or false" in p.message


def test_float_accepts_int_and_float(s20):
    assert validate_archive(rie(depth_target=5), s20) == []
    assert validate_archive(rie(depth_target=5.5), s20) == []


@pytest.mark.parametrize("value", ["5 nm", "5", True, float("nan"), float("inf")])
def test_float_bad(s20, value):
    p = only(validate_archive(rie(depth_target=value), s20), "type")
    assert p.path == "data.depth_target"
    if isinstance(value, str):
        assert "a plain number in nm" in p.message and repr(value) in p.message


@pytest.mark.parametrize("field, symbol", [
    ("chamber_pressure", "mbar"), ("chamber_temperature", "°C"), ("duration", "min")])
def test_messages_name_units_by_their_symbols_as_the_editor_shows_them(s20, field, symbol):
    """NOMAD spells units long ("millibar"); people read the symbol the editor shows."""
    archive = rie(etching_steps=[{field: "5 units"}], duration_target="ninety",
                  etching_rate_target="fast")
    messages = {p.path: p.message for p in validate_archive(archive, s20)}
    assert f"expected a plain number in {symbol} for {field!r}, found '5 units'" in \
        messages[f"data.etching_steps[0].{field}"]
    assert "a plain number in s for" in messages["data.duration_target"]
    assert "a plain number in nm/min for" in messages["data.etching_rate_target"]
    assert not any(word in " ".join(messages.values()) for word in
                   ("millibar", "degree_Celsius", "minute", "second", "nanometer"))


def test_int(s20):
    archive = lambda v: rie(outputs=[{"job_number": v}])  # noqa: E731
    cls = s20.get("schema_packages.steps.utils.EtchingOutputs")
    assert cls.quantities["job_number"].kind == "int"
    assert validate_archive(archive(12), s20) == []
    for bad in (1.5, True, "12", 2**40):
        p = only(validate_archive(archive(bad), s20), "type")
        assert p.path == "data.outputs[0].job_number"
        assert "whole number" in p.message


@pytest.mark.parametrize("value", ["2025-03-02T09:00:00+01:00", "2025-03-02T09:00:00Z",
                                   "2025-03-02T09:00:00.123456+00:00"])
def test_datetime_ok(s20, value):
    assert validate_archive(rie(starting_date=value), s20) == []


@pytest.mark.parametrize("value,why", [("2025-03-02T09:00:00", "time zone"),
                                       ("2025-03-02", "without a time"),
                                       ("02/03/2025 09:00", "not an ISO"),
                                       (20250302, "ISO 8601")])
def test_datetime_bad(s20, value, why):
    p = only(validate_archive(rie(starting_date=value), s20), "datetime")
    assert p.path == "data.starting_date" and why in p.message


def test_enum(s20):
    assert validate_archive(rie(wafer_side="front"), s20) == []
    p = only(validate_archive(rie(wafer_side="Front"), s20), "enum")
    assert p.path == "data.wafer_side"
    assert "'front'" in p.message and "'back'" in p.message and "'Front'" in p.message


def test_null_is_refused(s20):
    p = only(validate_archive(rie(name=None), s20), "type")
    assert "null" in p.message


def test_long_values_are_truncated(s20):
    p = only(validate_archive(rie(depth_target="x" * 500), s20), "type")
    assert len(p.message) < 200 and "..." in p.message


# ---------------------------------------------------------------- shapes


def test_shape_list_of_str(s20):
    archive = {"data": {"m_def": "schema_packages.steps.transform.dicing.dicing.Dicing",
                        "outputs": {"wafer_dice_name": ["a", "b"]}}}
    cls = s20.get("schema_packages.steps.utils.DicingOutputs")
    assert cls.quantities["wafer_dice_name"].shape == ("*",)
    assert validate_archive(archive, s20) == []
    archive["data"]["outputs"]["wafer_dice_name"] = "a"
    p = only(validate_archive(archive, s20), "shape")
    assert p.path == "data.outputs.wafer_dice_name"
    archive["data"]["outputs"]["wafer_dice_name"] = ["a", 3]
    assert only(validate_archive(archive, s20), "type").path == \
        "data.outputs.wafer_dice_name[1]"


def test_scalar_given_a_list(s20):
    p = only(validate_archive(rie(depth_target=[1, 2]), s20), "shape")
    assert "single value" in p.message
