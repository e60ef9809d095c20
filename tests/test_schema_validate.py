"""The one validator: every check, its code, path and message, on both schema sets (the
quantity types and shapes: test_schema_validate_types.py)."""

import json

import pytest

from cams_module.schema import (
    CODES,
    Problem,
    load_schema_set,
    validate_archive,
    validate_archive_json,
)
from tests import schema_validate_cases as cases
from tests.schema_validate_cases import EXAMPLE, OLD_RIE, PROCESS, RIE, STEP, V20, V2504, only, rie

# the shared module-scoped fixtures
s20 = cases.s20
s2504 = cases.s2504


# ---------------------------------------------------------------- the plugin's example upload


def example_files():
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(EXAMPLE.glob("*.archive.json"))}


def test_plugin_example_validates_except_the_five_dropped_keys(s20):
    files = example_files()
    assert len(files) == 9
    found = {}
    for name, archive in files.items():
        found[name] = validate_archive(archive, s20, mainfile=name, upload_mainfiles=set(files))
    bad = {n: p for n, p in found.items() if p}
    assert list(bad) == ["Prova_cleaning.archive.json"]
    prefix = "data.cleaning_steps[0].cleaning_dumping[0]."
    assert sorted(p.path for p in bad["Prova_cleaning.archive.json"]) == sorted(
        prefix + k for k in ("rinsing_cycles", "rinsing_mode", "rinser_name",
                             "rinsing_duration", "resistivity_control"))
    for p in bad["Prova_cleaning.archive.json"]:
        assert p.code == "unknown_key" and p.severity == "error"
        assert "DeIonizedWaterDumping" in p.message and "Prova_cleaning" in p.message


def test_plugin_example_references_fit_their_classes(s20):
    files = example_files()
    classes = {name: a["data"]["m_def"] for name, a in files.items()}
    assert validate_archive(files["Processo_prova.archive.json"], s20,
                            upload_mainfiles=classes) == []


def test_rinser_name_message_suggests_the_real_key(s20):
    archive = example_files()["Prova_cleaning.archive.json"]
    messages = {p.path.rsplit(".", 1)[-1]: p.message for p in validate_archive(archive, s20)}
    assert "'rinser_name'" in messages["rinser_name"]
    assert "dumper_name" in messages["rinser_name"]


# ---------------------------------------------------------------- every step class


@pytest.mark.parametrize("name", [V20, V2504])
def test_every_step_class_validates_a_minimal_archive(name):
    schemas = load_schema_set(name)
    steps = schemas.step_classes()
    assert len(steps) >= 25
    for m_def in steps:
        problems = validate_archive({"data": {"m_def": m_def}}, schemas)
        if schemas.get(m_def).unreachable:
            assert only(problems, "unknown_class").path == "data.m_def"
        else:
            assert problems == [], m_def


def test_problem_is_frozen():
    p = Problem("data.x", "type", "bad")
    assert p.severity == "error"
    with pytest.raises(AttributeError):
        p.code = "enum"
    assert set(CODES) == {"unknown_class", "unknown_key", "type", "enum", "shape", "datetime",
                          "reference", "json"}


# ---------------------------------------------------------------- archive shape and classes


@pytest.mark.parametrize("archive", [[], "text", None, 3])
def test_archive_must_be_an_object(s20, archive):
    p = only(validate_archive(archive, s20, mainfile="a.archive.json"), "json")
    assert "a.archive.json" in p.message


def test_archive_needs_data(s20):
    p = only(validate_archive({}, s20), "json")
    assert p.path == "data" and "found nothing" in p.message
    p = only(validate_archive({"data": [1]}, s20), "json")
    assert "[1]" in p.message


def test_other_top_level_keys_are_refused(s20):
    p = only(validate_archive({"data": {"m_def": RIE}, "metadata": {}}, s20), "unknown_key")
    assert p.path == "metadata"


def test_data_needs_m_def(s20):
    p = only(validate_archive({"data": {"name": "x"}}, s20), "unknown_class")
    assert p.path == "data.m_def"


def test_unknown_class_lists_close_matches(s20):
    p = only(validate_archive({"data": {"m_def": RIE + "X"}}, s20), "unknown_class")
    assert RIE in p.message and V20 in p.message


def test_unknown_class_short_name_match(s20):
    p = only(validate_archive({"data": {"m_def": "schema_packages.RIE"}}, s20), "unknown_class")
    assert RIE in p.message


def test_old_plugin_class_is_unknown_in_new_set(s20, s2504):
    assert only(validate_archive({"data": {"m_def": OLD_RIE}}, s20), "unknown_class")
    assert validate_archive({"data": {"m_def": OLD_RIE}}, s2504) == []


def test_unreachable_class(s20):
    p = only(validate_archive({"data": {"m_def": "schema_packages.steps.transform.Track"}}, s20),
             "unknown_class")
    assert "cannot load" in p.message
    assert "schema_packages.fabrication_utilities.FabricationProcessStep" in p.message


def test_non_entry_class_cannot_be_data(s20):
    m_def = "schema_packages.steps.remove.etching.dry_etching.RIEbase"
    p = only(validate_archive({"data": {"m_def": m_def}}, s20), "unknown_class")
    assert "EntryData" in p.message


# ---------------------------------------------------------------- keys and sub-sections


def test_unknown_key_with_path_and_suggestion(s20):
    p = only(validate_archive(rie(etching_step=[]), s20), "unknown_key")
    assert p.path == "data.etching_step"
    assert "'etching_steps'" in p.message and "RIE" in p.message


def test_nested_paths(s20):
    archive = rie(etching_steps=[{}, {"fluximeters": [{"name": "Ar"}, {"name": 5}]}])
    p = only(validate_archive(archive, s20), "type")
    assert p.path == "data.etching_steps[1].fluximeters[1].name"


def test_m_def_allowed_anywhere(s20):
    archive = rie(etching_steps=[{"m_def": "schema_packages.steps.remove.etching.dry_etching."
                                           "RIEbase", "name": "main"}])
    assert validate_archive(archive, s20) == []


def test_sub_section_m_def_subclass_accepted(s20):
    # ICP_RIEbase is a RIEbase: allowed in RIE.etching_steps, and its own keys become valid.
    cls = s20.get("schema_packages.steps.remove.etching.dry_etching.ICP_RIEbase")
    assert cls is not None and cls.is_a("schema_packages.steps.remove.etching.dry_etching.RIEbase")
    archive = rie(etching_steps=[{"m_def": cls.m_def, "name": "x"}])
    assert validate_archive(archive, s20) == []


def test_sub_section_m_def_must_fit(s20):
    archive = rie(etching_steps=[{"m_def": STEP}])
    p = only(validate_archive(archive, s20), "unknown_class")
    assert p.path == "data.etching_steps[0].m_def" and "RIEbase" in p.message


def test_repeating_sub_section_needs_a_list(s20):
    p = only(validate_archive(rie(etching_steps={"name": "x"}), s20), "shape")
    assert p.path == "data.etching_steps" and "list" in p.message


def test_non_repeating_sub_section_needs_an_object(s20):
    archive = {"data": {"m_def": PROCESS, "output": [{}]}}
    assert only(validate_archive(archive, s20), "shape").path == "data.output"
    archive = {"data": {"m_def": PROCESS, "output": "x"}}
    assert only(validate_archive(archive, s20), "type").path == "data.output"


# ---------------------------------------------------------------- references


def process(steps, **kw):
    return {"data": {"m_def": PROCESS, "steps": steps, **kw}}


def test_reference_ok(s20):
    ref = "../upload/archive/mainfile/step_01.archive.json#data"
    assert validate_archive(process([ref]), s20, upload_mainfiles={"step_01.archive.json"}) == []
    assert validate_archive(process([ref]), s20) == []
    ref2 = "../upload/archive/mainfile/sub/step 01.archive.json#/data"
    assert validate_archive(process([ref2]), s20,
                            upload_mainfiles={"sub/step 01.archive.json"}) == []


def test_reference_to_missing_mainfile(s20):
    ref = "../upload/archive/mainfile/step_02.archive.json#data"
    p = only(validate_archive(process([ref]), s20, upload_mainfiles={"step_01.archive.json"}),
             "reference")
    assert p.path == "data.steps[0]" and "step_02.archive.json" in p.message
    assert "step_01.archive.json" in p.message  # close match offered


@pytest.mark.parametrize("ref", ["step_01.archive.json", "../upload/archive/abc123#data",
                                 "../upload/archive/mainfile/x.json#metadata", 5])
def test_reference_bad_forms(s20, ref):
    assert only(validate_archive(process([ref]), s20), "reference").path == "data.steps[0]"


def test_local_reference(s20):
    archive = process(["#/data"])
    assert validate_archive(archive, s20) == []
    archive = process(["#/data/nothing_here/0"])
    p = only(validate_archive(archive, s20), "reference")
    assert "does not exist" in p.message


def test_reference_shape(s20):
    p = only(validate_archive(process("../upload/archive/mainfile/a#data"), s20), "shape")
    assert p.path == "data.steps"


# ---------------------------------------------------------------- the 2025.04 set


def test_2025_04_checks(s2504):
    cls = s2504.get(OLD_RIE)
    kinds = {q.kind for q in cls.quantities.values()}
    assert {"str", "float", "datetime"} <= kinds
    assert only(validate_archive({"data": {"m_def": OLD_RIE, "nope": 1}}, s2504), "unknown_key")
    q = next(q for q in cls.quantities.values() if q.kind == "float" and q.unit)
    p = only(validate_archive({"data": {"m_def": OLD_RIE, q.name: "1 x"}}, s2504), "type")
    assert f"a plain number in {s2504.unit_symbol(q.unit)} for" in p.message
    assert s2504.unit_symbol(q.unit) != q.unit  # the symbol, not NOMAD's long spelling


# ---------------------------------------------------------------- archive files as text


def test_validate_archive_json(s20):
    text = json.dumps(rie(name="x"))
    assert validate_archive_json(text, s20) == []
    assert validate_archive_json(text.encode("utf-8"), s20) == []
    p = only(validate_archive_json('{"data": {', s20, mainfile="a.archive.json"), "json")
    assert "a.archive.json" in p.message and "line 1" in p.message
    nan = json.dumps(rie(depth_target=float("nan")))
    assert "NaN" in nan
    p = only(validate_archive_json(nan, s20), "json")
    assert "NaN" in p.message
    assert only(validate_archive_json(b"\xff\xfe", s20), "json")
    p = only(validate_archive_json(json.dumps(rie(name=5)), s20), "type")
    assert p.path == "data.name"


def test_reference_class_checked_with_upload_classes(s20):
    ref = "../upload/archive/mainfile/s1.archive.json#data"
    upload = {"s1.archive.json": RIE, "p.archive.json": PROCESS}
    assert validate_archive(process([ref]), s20, upload_mainfiles=upload) == []
    upload["s1.archive.json"] = PROCESS  # a process is not a FabricationProcessStep
    p = only(validate_archive(process([ref]), s20, upload_mainfiles=upload), "reference")
    assert "FabricationProcess" in p.message and "FabricationProcessStep" in p.message
    upload["s1.archive.json"] = None  # class unknown (e.g. unreadable file): not judged here
    assert validate_archive(process([ref]), s20, upload_mainfiles=upload) == []
