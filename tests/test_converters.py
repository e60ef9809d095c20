"""Every named converter, on good and on bad CAMS values."""

import pytest

from cams_module.cams2nomad.converters import (
    ConversionError,
    Target,
    check_entry,
    convert,
    type_kind,
)
from cams_module.cams2nomad.units import parse_unit

SEC = Target("np.float64", "sec")
MINUTE = Target("np.float64", "minute")
NM = Target("np.float64", "nm")
CELSIUS = Target("np.float64", "celsius")
YES_NO_ENUM = Target("MEnum", None, ("Yes", "No", "Other (see Note)"))


@pytest.mark.parametrize(
    ("value", "expected"), [("SiO2", "SiO2"), ("", ""), (5, "5"), (1.5, "1.5"), (True, "Yes")]
)
def test_text(value, expected):
    assert convert("text", value, Target("str")) == expected


@pytest.mark.parametrize("value", [[1], {"a": 1}, float("nan")])
def test_text_refuses_structures(value):
    with pytest.raises(ConversionError):
        convert("text", value, Target("str"))


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (1.5, "um", NM, 1500.0),
        ("1.5", "um", NM, 1500.0),
        ("1,5", "um", NM, 1500.0),
        ("0,015", "um", NM, 15.0),
        (" 2e3 ", "nm", NM, 2000.0),
        (0.3, "um", NM, 300.0),
        (5.5, "min", SEC, 330.0),
        (30, "mtorr", Target("np.float64", "mbar"), 0.039996710526316),
        (25, "celsius", CELSIUS, 25.0),
        (77, "degF", CELSIUS, 25.0),
        (10, "sccm", Target("np.float64", "centimeter^3/minute"), 10.0),
        (3000, "rpm", Target("np.float64", "revolutions_per_minute"), 3000.0),
        (12, "ohm*cm", Target("np.float64", "ohm*cm"), 12.0),
        (-3, None, Target("np.float64"), -3.0),
    ],
)
def test_number_converts_into_the_declared_unit(value, unit, target, expected):
    assert convert("number", value, target, unit=unit) == expected


@pytest.mark.parametrize("value", ["abc", "1-10", "", None, True, "1,500", "1.2.3", "nan", "5 um"])
def test_number_refuses(value):
    with pytest.raises(ConversionError) as err:
        convert("number", value, NM, unit="um")
    assert "number" in err.value.expected


def test_number_expected_names_the_unit():
    with pytest.raises(ConversionError) as err:
        convert("number", "deep", NM, unit="um")
    assert err.value.expected == "a number in um"


@pytest.mark.parametrize(("value", "expected"), [(12, 12), (12.0, 12), ("12", 12), ("-3", -3)])
def test_integer(value, expected):
    result = convert("integer", value, Target("int"))
    assert result == expected and isinstance(result, int)


@pytest.mark.parametrize("value", ["1.5", 1.5, "1-10", "", None, "abc", True])
def test_integer_refuses_never_minus_one(value):
    with pytest.raises(ConversionError) as err:
        convert("integer", value, Target("int"))
    assert err.value.expected == "a whole number such as 12"


@pytest.mark.parametrize(
    ("value", "fmt", "target", "expected"),
    [
        ("00:05:30", "H:M:S", SEC, 330.0),
        ("00:05:30", "H:M:S", MINUTE, 5.5),
        ("1:30:00", "H:M:S", MINUTE, 90.0),
        ("01:30", "M:S", SEC, 90.0),
        ("05:30", "M:S", MINUTE, 5.5),
        (5.5, "min", SEC, 330.0),
        ("5.5", "min", SEC, 330.0),
        (90, "s", MINUTE, 1.5),
        (2, "h", MINUTE, 120.0),
    ],
)
def test_duration(value, fmt, target, expected):
    assert convert("duration", value, target, fmt=fmt) == expected


def test_duration_takes_the_unit_when_no_format():
    assert convert("duration", 2, SEC, unit="min") == 120.0


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("5 minutes", "H:M:S"),
        ("05:30", "H:M:S"),
        ("00:75:00", "H:M:S"),
        (330, "H:M:S"),
        ("1:2:3", "M:S"),
        ("five", "min"),
        ("-5", "min"),
        ("-00:05:00", "H:M:S"),
    ],
)
def test_duration_refuses(value, fmt):
    with pytest.raises(ConversionError) as err:
        convert("duration", value, SEC, fmt=fmt)
    assert fmt in err.value.expected


def test_duration_error_shows_example():
    with pytest.raises(ConversionError) as err:
        convert("duration", "5 minutes", SEC, fmt="H:M:S")
    assert err.value.expected == "a duration written H:M:S, e.g. 01:30:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", True), ("No", False), ("yes", True), ("no", False), ("true", True),
     ("FALSE", False), (True, True), (False, False), (" Yes ", True)],
)
def test_yes_no_to_bool(value, expected):
    assert convert("yes_no", value, Target("bool")) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", "Yes"), ("no", "No"), (True, "Yes"), (False, "No"),
     ("Other (see Note)", "Other (see Note)")],
)
def test_yes_no_to_enum(value, expected):
    assert convert("yes_no", value, YES_NO_ENUM) == expected


@pytest.mark.parametrize("value", ["maybe", 1, 0, None, ""])
def test_yes_no_refuses(value):
    with pytest.raises(ConversionError) as err:
        convert("yes_no", value, Target("bool"))
    assert "Yes or No" in err.value.expected


def test_integer_must_fit_the_target_type():
    assert convert("integer", 2147483647, Target("int")) == 2147483647
    with pytest.raises(ConversionError) as err:
        convert("integer", "2147483648", Target("int"))
    assert err.value.expected == "a whole number from -2147483648 to 2147483647"
    assert convert("integer", 2147483648, Target("np.int64")) == 2147483648


@pytest.mark.parametrize(
    ("name", "value", "fmt", "unit"),
    [("number", "1e308", None, "um"), ("number", 1e308, None, "km"),
     ("duration", "1e306", "h", None), ("duration", "9" * 400 + ":00:00", "H:M:S", None)],
)
def test_overflow_is_an_error_not_infinity(name, value, fmt, unit):
    target = Target("np.float64", "nm") if name == "number" else SEC
    with pytest.raises(ConversionError) as err:
        convert(name, value, target, unit=unit, fmt=fmt)
    assert "too large" in err.value.message or "finite" in err.value.message


def test_enum():
    target = Target("MEnum", None, ("p", "n", "no"))
    assert convert("enum", "p", target) == "p"
    assert convert("enum", "N", target) == "n"
    with pytest.raises(ConversionError) as err:
        convert("enum", "x", target)
    assert err.value.expected == "one of ['p', 'n', 'no']"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-03T10:00:00+01:00", "2025-03-03T10:00:00+01:00"),
        ("2025-03-03T09:00:00Z", "2025-03-03T09:00:00+00:00"),
        ("2025-03-03 10:00:00+01:00", "2025-03-03T10:00:00+01:00"),
    ],
)
def test_datetime(value, expected):
    assert convert("datetime", value, Target("Datetime")) == expected


@pytest.mark.parametrize("value", ["2025-03-03T10:00:00", "2025-03-03", "yesterday", 5])
def test_datetime_refuses_naive_and_garbage(value):
    with pytest.raises(ConversionError) as err:
        convert("datetime", value, Target("Datetime"))
    assert "time zone" in err.value.expected


def test_unknown_converter():
    with pytest.raises(ConversionError):
        convert("magic", 1, Target("str"))


def test_type_kind():
    assert type_kind("np.float64") == "float"
    assert type_kind("MEnum") == "enum"
    assert type_kind("Reference(x.Y)") == "reference"
    assert type_kind("Datetime") == "datetime"


@pytest.mark.parametrize(
    "unit",
    ['GPa', 'Hz', 'MHz', 'V', 'W', 'celsius', 'celsius/sec', 'celsius/minute',
     'centimeter^3/minute', 'cm', 'g', 'kV', 'liter', 'mampere', 'mbar', 'milliliter', 'minute',
     'mm', 'mm/s', 'mwatt/cm^2', 'nm', 'nm/minute', 'ohm', 'ohm*cm', 'pC', 'pC/centimeter',
     'pampere', 'ppm', 'revolutions_per_minute', 'revolutions_per_minute/sec', 'rpm', 's', 'sec',
     'second', 'uC', 'uC/centimeter', 'uC/centimeter^2', 'um', 'um^2', 'us', 'volt', 'watt',
     'mtorr', 'mTorr', 'Torr', 'sccm', 'min', 'h'],
)
def test_every_schema_unit_parses(unit):
    """Every unit string of both plugin catalogues (and common CAMS units) is known to pint."""
    parse_unit(unit)


def test_check_entry_catches_profile_bugs():
    assert check_entry("duration", Target("np.float64", "celsius"), None, "H:M:S")
    assert check_entry("number", NM, "min", None)
    assert check_entry("number", NM, None, None)
    assert check_entry("integer", Target("np.float64", "ohm*cm"), None, None)
    assert check_entry("yes_no", Target("str"), None, None)
    assert check_entry("yes_no", Target("MEnum", None, ("p", "n")), None, None)
    assert check_entry("number", NM, "um", None) is None
    assert check_entry("duration", SEC, None, "H:M:S") is None
    assert check_entry("yes_no", YES_NO_ENUM, None, None) is None
