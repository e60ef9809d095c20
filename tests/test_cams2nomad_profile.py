"""The profile loader: shipped profiles load; every kind of profile mistake is caught loudly,
naming the entry."""

import copy
import json

import pytest

from cams_module.cams2nomad.paths import Segment, drop_empty_slots, parse_path, set_value
from cams_module.cams2nomad.profile import (
    DEFAULT_PROFILE,
    PROFILE_DIR,
    ProfileError,
    list_profiles,
    load_profile,
    profile_from_dict,
)
from cams_module.schema import load_schema_set

NAME = "fabrication-utilities-2025.04"
P = "fabrication_facilities.schema_packages."


@pytest.fixture(scope="module")
def schemas():
    return load_schema_set(NAME)


@pytest.fixture()
def doc():
    return json.loads((PROFILE_DIR / f"{NAME}.json").read_text(encoding="utf-8"))


def test_list_profiles_has_both_and_default_loads():
    assert {"fabrication-utilities-2.0", NAME} <= set(list_profiles())
    assert load_profile().name == DEFAULT_PROFILE == "fabrication-utilities-2.0"


@pytest.mark.parametrize("name", list_profiles())
def test_every_shipped_profile_loads(name):
    prof = load_profile(name)
    assert prof.step_types and prof.schema_set


def test_unknown_profile_lists_known():
    with pytest.raises(KeyError) as err:
        load_profile("nope")
    assert NAME in str(err.value)


def _errors(doc, schemas):
    with pytest.raises(ProfileError) as err:
        profile_from_dict(doc, name=NAME, schemas=schemas)
    return "\n".join(err.value.problems)


def _rie(doc):
    return doc["step_types"]["RIE"]["quantities"]


def test_unknown_m_def(doc, schemas):
    doc["step_types"]["RIE"]["m_def"] = P + "remove.RIEE"
    assert "step type 'RIE': m_def 'fabrication_facilities.schema_packages.remove.RIEE' " \
           "is not a class" in _errors(doc, schemas)


def test_target_not_a_quantity(doc, schemas):
    _rie(doc).append({"target": "chamber_presure", "field": "p", "convert": "number",
                      "unit": "mbar"})
    msg = _errors(doc, schemas)
    assert "step type 'RIE', quantity 8 (target 'chamber_presure')" in msg
    assert "'chamber_presure' is not a quantity of " + P + "remove.RIE" in msg


def test_target_through_subsections(doc, schemas):
    _rie(doc).append({"target": "fluximeters.name", "field": "gas"})
    assert "repeats: write fluximeters[0]" in _errors(doc, schemas)
    doc2 = copy.deepcopy(doc)
    _rie(doc2)[-1] = {"target": "fluximeters[0].nope", "field": "gas"}
    assert "'fluximeters.nope' is not a quantity" in _errors(doc2, schemas)


def test_subsection_path_resolves(doc, schemas):
    _rie(doc).append({"target": "fluximeters[0].name", "field": "gas"})
    prof = profile_from_dict(doc, name=NAME, schemas=schemas)
    assert prof.step_types["RIE"].entries[-1].path == (Segment("fluximeters", 0), Segment("name"))


def test_temperature_never_converted_as_time(doc, schemas):
    doc["step_types"]["Track"]["quantities"].append(
        {"target": "hardbake_temperature", "field": "x", "convert": "duration",
         "format": "H:M:S"})
    msg = _errors(doc, schemas)
    assert "needs a time quantity" in msg


def test_unit_dimension_checked(doc, schemas):
    _rie(doc)[0]["unit"] = "min"  # depth_target is in nm
    assert "CAMS unit 'min' cannot be converted into 'nanometer'" in _errors(doc, schemas)


def test_number_into_unit_needs_cams_unit(doc, schemas):
    del _rie(doc)[0]["unit"]
    assert "give the CAMS unit in 'unit'" in _errors(doc, schemas)


def test_converter_type_mismatch(doc, schemas):
    _rie(doc)[5]["convert"] = "number"  # job_number is an int
    _rie(doc)[5]["unit"] = "nm"
    assert "converter 'number' cannot fill a int quantity" in _errors(doc, schemas)


def test_list_quantity_is_refused(doc, schemas):
    doc["process"]["quantities"].append({"target": "locations", "source": "project"})
    assert "'locations' holds a list" in _errors(doc, schemas)


def test_duplicate_target_is_refused(doc, schemas):
    _rie(doc).append({"target": "depth_target", "field": "depth_again", "convert": "number",
                      "unit": "nm"})
    assert "target 'depth_target' is written twice" in _errors(doc, schemas)


def test_key_typos_and_bad_constants(doc, schemas):
    _rie(doc).append({"target": "gas_name", "feild": "gas"})
    _rie(doc).append({"target": "chamber_pressure", "constant": "low"})
    doc["stepp"] = {}
    msg = _errors(doc, schemas)
    assert "unknown key 'feild'" in msg
    assert "constant 'low' is not a number" in msg
    assert "unknown top-level key 'stepp'" in msg


def test_all_problems_reported_together(doc, schemas):
    doc["step_types"]["RIE"]["m_def"] = "x.Y"
    doc["step_types"]["DRIE"]["quantities"][0]["target"] = "nope"
    with pytest.raises(ProfileError) as err:
        profile_from_dict(doc, name=NAME, schemas=schemas)
    assert len(err.value.problems) == 2
    assert str(err.value).startswith(f"mapping profile {NAME!r} has 2 problem(s)")


def test_constant_is_converted_at_load(doc, schemas):
    prof = profile_from_dict(doc, name=NAME, schemas=schemas)
    entry = next(e for e in prof.step_types["Coating"].entries if e.has_constant)
    assert (entry.target, entry.constant) == ("dewetting_temperature", 110.0)


def test_parse_path():
    assert parse_path("a.b[0].c") == (Segment("a"), Segment("b", 0), Segment("c"))
    for bad in ("", "a..b", "a[x]", "a b", "a.[0]"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_set_value_and_sparse_slots():
    data = {}
    set_value(data, parse_path("steps[2].x"), 1)
    set_value(data, parse_path("outputs.job"), 5)
    assert data == {"steps": [{}, {}, {"x": 1}], "outputs": {"job": 5}}
    assert drop_empty_slots(data) == {"steps": [{"x": 1}], "outputs": {"job": 5}}


def test_not_done_in_must_be_a_free_text_quantity_of_the_first_entry():
    name = "fabrication-utilities-2.0"
    schemas20 = load_schema_set(name)
    base = json.loads((PROFILE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    track = base["step_types"]["Track"]

    def errors(doc):
        with pytest.raises(ProfileError) as err:
            profile_from_dict(doc, name=name, schemas=schemas20)
        return "\n".join(err.value.problems)

    assert profile_from_dict(base, name=name, schemas=schemas20).step_types[
        "Track"].not_done_in.target == "keywords"
    cases = {
        "thickness_target": "converter 'text' cannot fill a np.float64 quantity",
        "nope": "'nope' is not a quantity",
        "coating_steps[0].resist_material[0].name": "is written twice",
    }
    for target, message in cases.items():
        doc = copy.deepcopy(base)
        doc["step_types"]["Track"]["not_done_in"] = dict(track["not_done_in"], target=target)
        assert message in errors(doc), target
    doc = copy.deepcopy(base)
    doc["step_types"]["RIE"]["not_done_in"] = {"target": "keywords"}
    assert "step type 'RIE', \"not_done_in\": the step type has no entry with a \"when\" " \
        "switch" in errors(doc)
