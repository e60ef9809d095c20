"""The one parser of numbers with units and the one key-path parser (exporter and editor)."""

import pytest

from cams_module.cams2nomad.converters import ConversionError, Target, to_duration, to_number
from cams_module.cams2nomad.units import UnitError, parse_quantity, tidy_number
from cams_module.editor.units import unit_label
from cams_module.schema.paths import PathError, format_path, parse_path


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1.5 um", "nm", 1500),
        ("1500", "nm", 1500),
        ("2 min", "second", 120),
        ("90 s", "minute", 1.5),
        ("300 K", "degree_Celsius", 26.85),
        ("25 degC", "celsius", 25),
        ("100 sccm", "centimeter^3/minute", 100),
        ("1 kW", "watt", 1000),
        ("1,5 um", "nm", 1500),
        ("-3e2 nm", "um", -0.3),
        (" 7 ", None, 7),
    ],
)
def test_numbers_are_converted_into_the_declared_unit(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected)


def test_thirty_millitorr_in_millibar():
    assert parse_quantity("30 mtorr", "mbar") == pytest.approx(0.0399967105, rel=1e-9)
    assert parse_quantity("30 mtorr", "mbar", keep_input_precision=True) == 0.04


@pytest.mark.parametrize(
    ("text", "unit", "stored"),
    [
        ("30 mtorr", "millibar", 0.04),  # 0.0399967…: the digits typed, at least 3
        ("1 mtorr", "millibar", 0.00133),
        ("30.000 mtorr", "millibar", 0.039997),
        ("300 K", "degree_Celsius", 26.85),  # exact conversions stay exact
        ("1 h", "second", 3600),
        ("1 day", "second", 86400),
        ("100 degF", "degree_Celsius", 37.8),
        ("1.5 um", "nanometer", 1500),
        ("00:05:31", "minute", 5.52),
        ("0.1234567 um", "nanometer", 123.4567),
    ],
)
def test_stored_values_keep_the_precision_typed(text, unit, stored):
    assert parse_quantity(text, unit, keep_input_precision=True) == stored


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [("00:05:30", "second", 330), ("05:30", "second", 330), ("5:30", "second", 330),
     ("1:00:00", "minute", 60), ("00:00:01.5", "second", 1.5), ("5 min", "second", 300),
     ("330 s", "second", 330), ("330", "second", 330)],
)
def test_durations_in_every_way_cams_users_write_them(text, unit, seconds):
    assert parse_quantity(text, unit) == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("00:60:00", "not a valid H:M:S time"), ("1:2:3:4", "not written"),
     ("a:b", "not written M:S"), ("1.5:30", "not a valid M:S time")],
)
def test_broken_clock_times_say_how_to_write_a_duration(text, fragment):
    with pytest.raises(UnitError, match=fragment) as caught:
        parse_quantity(text, "second")
    assert "H:M:S (00:05:30)" in str(caught.value)


def test_the_exporter_reads_clock_times_with_the_same_code():
    assert to_duration("00:05:30", Target("np.float64", "second"), None,
                                  "H:M:S") == 330
    with pytest.raises(ConversionError, match="not a valid H:M:S time"):
        to_duration("00:60:00", Target("np.float64", "second"), None, "H:M:S")


def test_messages_use_unit_symbols():
    with pytest.raises(UnitError) as caught:
        parse_quantity("3 kg", "degree_Celsius")
    assert "°C" in str(caught.value) and "degree_Celsius" not in str(caught.value)
    with pytest.raises(UnitError, match="in µm"):
        parse_quantity("abc", "micrometer")


@pytest.mark.parametrize(
    ("text", "unit", "fragment"),
    [
        ("abc", "nm", "is not a number in nm"),
        ("00:05:30", "millibar", "is not a number in mbar"),
        ("3 kg", "nm", "cannot be converted into nm"),
        ("3 furlongs_per_fortnight", "nm", "unknown unit"),
        ("3 nm", None, "has no unit"),
    ],
)
def test_unreadable_numbers_say_what_is_expected(text, unit, fragment):
    with pytest.raises(UnitError, match=fragment):
        parse_quantity(text, unit)


def test_tidy_number_removes_float_noise_and_keeps_whole_numbers_int():
    assert tidy_number(1500.0000000000002) == 1500
    assert isinstance(tidy_number(1500.0000000000002), int)
    assert tidy_number(0.1 + 0.2) == 0.3


def test_unit_labels_are_short():
    assert unit_label("millibar") == "mbar"
    assert unit_label("degree_Celsius") == "°C"
    assert unit_label(None) == ""


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("data.etching_steps[0].chamber_pressure", ("data", "etching_steps", 0,
                                                    "chamber_pressure")),
        ("data", ("data",)),
        ("data.steps[2]", ("data", "steps", 2)),
        ("data.a[0][1].b", ("data", "a", 0, 1, "b")),
        ("", ()),
    ],
)
def test_paths_round_trip(path, steps):
    assert parse_path(path) == steps
    assert format_path(steps) == path


@pytest.mark.parametrize("bad", ["data..name", "data.[0]", "data[x]", "data.name]"])
def test_malformed_paths_are_refused(bad):
    with pytest.raises(PathError):
        parse_path(bad)


@pytest.mark.parametrize("text", ["1,500", "1,500 nm", "-2,000"])
def test_a_thousands_separator_is_refused_alike_by_editor_and_exporter(text):
    with pytest.raises(UnitError, match="ambiguous"):
        parse_quantity(text, "nm")
    with pytest.raises(ConversionError, match="ambiguous"):
        to_number(text.replace(" nm", ""), Target("np.float64", "nanometer"), "nm")


def test_both_round_alike():
    editor = parse_quantity("30 mtorr", "mbar")
    exporter = to_number("30", Target("np.float64", "millibar"), "mtorr")
    assert editor == exporter
