"""The archive document: paths, sub-sections, undo/redo, schema key order, atomic save."""

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cams_module.editor.document import (
    ArchiveDocument,
    DocumentError,
    load_document,
    new_document,
    write_atomic,
)
from cams_module.editor.plausibility import value_warning
from cams_module.export import archive_bytes
from cams_module.schema import load_schema_set
from cams_module.schema.model import Quantity
from cams_module.schema.paths import PathError

EXAMPLES = Path(__file__).parent / "data" / "plugin-example-2.0.0"
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
UNKNOWN = [
    "rinsing_cycles", "rinsing_mode", "rinser_name", "rinsing_duration", "resistivity_control",
]


@pytest.fixture()
def upload(tmp_path):
    for f in EXAMPLES.glob("*.archive.json"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.fixture()
def cleaning(upload):
    return load_document(upload / "Prova_cleaning.archive.json")


def test_schema_set_is_chosen_from_the_m_def_prefix(upload, tmp_path):
    assert load_document(upload / "Prova_cleaning.archive.json").schemas.name == \
        "fabrication-utilities-2.0"
    old = tmp_path / "old.archive.json"
    old.write_text(json.dumps({"data": {
        "m_def": "fabrication_facilities.schema_packages.remove.RIE"}}))
    assert load_document(old).schemas.name == "fabrication-utilities-2025.04"
    assert load_document(old, "fabrication-utilities-2.0").schemas.name == \
        "fabrication-utilities-2.0"


def test_broken_json_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.archive.json"
    bad.write_text('{"data": {"m_def": }')
    with pytest.raises(DocumentError, match="line 1, column 20"):
        load_document(bad)


def test_get_set_and_quantity_lookup(cleaning):
    assert cleaning.get("data.cleaning_steps[0].tank_temperature") == 200
    quantity = cleaning.quantity("data.cleaning_steps[0].tank_temperature")
    assert quantity.unit == "degree_Celsius"
    cleaning.set("data.cleaning_steps[1].tank_temperature", 80)
    assert cleaning.get("data.cleaning_steps[1].tank_temperature") == 80
    with pytest.raises(PathError, match=r"cleaning_steps\[5\] does not exist .*has 2 items"):
        cleaning.get("data.cleaning_steps[5].name")
    assert cleaning.subsection("data.cleaning_steps").repeats is True


def test_the_plugin_example_problems_are_exactly_the_dropped_keys(cleaning):
    problems = cleaning.problems()
    assert sorted(p.path.rsplit(".", 1)[1] for p in problems) == sorted(UNKNOWN)
    assert {p.code for p in problems} == {"unknown_key"}


def test_unknown_keys_are_kept_and_placed_after_known_ones(cleaning, upload):
    cleaning.set("data.name", "Renamed")
    cleaning.save()
    saved = json.loads((upload / "Prova_cleaning.archive.json").read_text())
    dumping = saved["data"]["cleaning_steps"][0]["cleaning_dumping"][0]
    assert list(dumping) == sorted(["draining_duration", *UNKNOWN])
    assert dumping["resistivity_control"] == {"resistivity_target": 15}
    original = json.loads((EXAMPLES / "Prova_cleaning.archive.json").read_text())
    original["data"]["name"] = "Renamed"
    assert saved == original  # nothing lost, nothing else changed


def test_files_are_written_byte_for_byte_as_the_exporter_writes_them(cleaning):
    assert cleaning.to_json().encode() == archive_bytes(cleaning.archive)
    doc = new_document(RIE, load_schema_set("fabrication-utilities-2.0"))
    doc.set("data.wafer_side", "front")
    doc.set("data.name", "Trench etch")
    doc.set("data.depth_target", 250.0)
    assert list(json.loads(doc.to_json())["data"]) == ["depth_target", "m_def", "name",
                                                      "wafer_side"]


def test_modified_follows_the_real_state(cleaning, upload):
    assert not cleaning.modified
    cleaning.set("data.name", "Renamed")
    assert cleaning.modified
    cleaning.undo()
    assert not cleaning.modified  # back to what is on disk
    cleaning.redo()
    cleaning.save()
    assert not cleaning.modified
    cleaning.set("data.name", "Prova cleaning")
    cleaning.set("data.name", "Renamed")
    assert not cleaning.modified  # the same as saved, by another way
    assert new_document(RIE, load_schema_set("fabrication-utilities-2.0")).modified


def test_physically_impossible_values_are_warnings_not_errors(tmp_path):
    doc = new_document(RIE, load_schema_set("fabrication-utilities-2.0"), tmp_path / "x.json")
    doc.set("data.etching_steps[0].chamber_pressure", -3)
    doc.set("data.starting_date", "2025-03-02T10:00:00+01:00")
    doc.set("data.ending_date", "2025-03-02T09:00:00+01:00")
    doc.set("data.duration_target", -5)
    assert doc.problems() == []
    warnings = {w.path: w.message for w in doc.warnings()}
    assert {w.severity for w in doc.warnings()} == {"warning"}
    assert warnings == {
        "data.etching_steps[0].chamber_pressure":
            "a negative pressure (-3 mbar) is physically impossible",
        "data.duration_target": "a negative duration (-5 s) is physically impossible",
        "data.ending_date": "ending_date 2025-03-02T09:00:00+01:00 is before starting_date "
                            "2025-03-02T10:00:00+01:00",
    }
    doc.set("data.ending_date", "2025-03-02T10:30:00+01:00")
    doc.set("data.duration_target", 5)
    doc.set("data.etching_steps[0].chamber_pressure", 0.04)
    assert doc.warnings() == []
    frequency = Quantity("rf", "np.float64", "megahertz")
    assert value_warning(-1, frequency) == "a negative frequency (-1 MHz) is physically impossible"
    assert value_warning(13.56, frequency) is None
    assert "frequency" in value_warning(-300, Quantity("s", "np.float64", "revolutions_per_minute"))
    assert value_warning(-5, Quantity("v", "np.float64", "volt")) is None  # may be negative


def test_below_absolute_zero_is_a_warning():
    schemas = load_schema_set("fabrication-utilities-2.0")
    doc = load_document(EXAMPLES / "Prova_cleaning.archive.json")
    doc.set("data.cleaning_steps[0].tank_temperature", -300)
    assert [w.message for w in doc.warnings()] == [
        "-300 °C is below absolute zero (-273.15 °C)"]
    assert schemas is doc.schemas


def test_saving_is_stable_and_pretty(cleaning, upload):
    first = cleaning.save().read_text()
    again = load_document(upload / "Prova_cleaning.archive.json")
    assert again.to_json() == first
    assert first.startswith('{\n  "data": {\n    "affiliation": ')
    assert first.endswith("}\n")


def test_add_remove_and_move_repeated_sub_sections(cleaning):
    path = cleaning.add_section("data.cleaning_steps")
    assert path == "data.cleaning_steps[2]"
    cleaning.set("data.cleaning_steps[2].name", "third")
    assert cleaning.move("data.cleaning_steps[2]", 0) == "data.cleaning_steps[0]"
    names = [s.get("name") for s in cleaning.get("data.cleaning_steps")]
    assert names == ["third", "Bagno in acido cloridrico", "Bagno in ammoniaca"]
    removed = cleaning.remove("data.cleaning_steps[0]")
    assert removed == {"name": "third"}
    assert len(cleaning.get("data.cleaning_steps")) == 2


def test_add_single_sub_section_once(cleaning):
    assert cleaning.add_section("data.cleaning_steps[1].resistivity_control") == \
        "data.cleaning_steps[1].resistivity_control"
    with pytest.raises(DocumentError, match="already exists"):
        cleaning.add_section("data.cleaning_steps[1].resistivity_control")


def test_set_creates_missing_sections_on_the_way():
    doc = new_document(RIE, load_schema_set("fabrication-utilities-2.0"))
    doc.set("data.etching_steps[0].chamber_pressure", 0.04)
    assert doc.archive == {"data": {"m_def": RIE, "etching_steps": [{"chamber_pressure": 0.04}]}}
    assert doc.problems() == []


def test_undo_and_redo(cleaning):
    before = json.loads(json.dumps(cleaning.archive))
    cleaning.set("data.name", "one")
    cleaning.add_section("data.cleaning_steps")
    cleaning.remove("data.notes")
    assert cleaning.undo() and cleaning.undo()
    assert cleaning.get("data.name") == "one"
    assert len(cleaning.get("data.cleaning_steps")) == 2
    assert cleaning.redo()
    assert len(cleaning.get("data.cleaning_steps")) == 3
    assert cleaning.undo() and cleaning.undo()
    assert cleaning.archive == before
    assert not cleaning.undo()
    cleaning.set("data.name", "two")
    assert not cleaning.can_redo  # a new change drops the redo history


def test_failed_set_leaves_no_trace(cleaning):
    with pytest.raises(PathError):
        cleaning.set("data.cleaning_steps[7].name", "x")
    assert not cleaning.can_undo


def test_atomic_save_replaces_the_file_in_one_step(upload):
    target = upload / "Prova_PEB.archive.json"
    doc = load_document(target)
    inode = target.stat().st_ino
    doc.set("data.name", "new name")
    doc.save()
    assert target.stat().st_ino != inode  # renamed over, not rewritten in place
    assert [p.name for p in upload.iterdir() if p.name.startswith(".")] == []
    assert not doc.modified


def test_a_failed_write_keeps_the_old_file(upload, monkeypatch):
    target = upload / "Prova_PEB.archive.json"
    original = target.read_text()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "{}")
    assert target.read_text() == original
    assert sorted(p.name for p in upload.iterdir()) == sorted(
        p.name for p in EXAMPLES.glob("*.archive.json"))


def test_references_resolve_against_the_files_in_the_folder(upload):
    process = load_document(upload / "Processo_prova.archive.json")
    assert process.problems() == []
    (upload / "Prova_PEB.archive.json").unlink()
    problems = load_document(upload / "Processo_prova.archive.json").problems()
    assert [p.code for p in problems] == ["reference"]
    assert problems[0].path.startswith("data.steps[")


def test_archive_must_be_an_object():
    with pytest.raises(DocumentError):
        ArchiveDocument([])  # type: ignore[arg-type]


def test_rename_gives_an_unknown_key_its_schema_name(cleaning):
    path = "data.cleaning_steps[0].cleaning_dumping[0].rinser_name"
    assert cleaning.rename(path, "dumper_name") == \
        "data.cleaning_steps[0].cleaning_dumping[0].dumper_name"
    assert cleaning.get("data.cleaning_steps[0].cleaning_dumping[0].dumper_name") == \
        "De ionized water"
    assert len(cleaning.problems()) == 4
    with pytest.raises(DocumentError, match="already exists"):
        cleaning.rename("data.cleaning_steps[0].cleaning_dumping[0].rinsing_mode",
                        "draining_duration")
    cleaning.undo()
    assert cleaning.get(path) == "De ionized water"


def test_content_the_schema_does_not_know_survives_a_save(tmp_path):
    archive = {
        "metadata": {"comment": "kept"},
        "data": {
            "x_custom": {"nested": [1, 2, {"deep": None}]},
            "etching_steps": [{"m_def": "somewhere.Unknown", "anything": True}],
            "name": "n",
            "m_def": RIE,
        },
    }
    path = tmp_path / "odd.archive.json"
    path.write_text(json.dumps(archive))
    doc = load_document(path)
    codes = sorted(p.code for p in doc.problems())
    assert codes == ["unknown_class", "unknown_key", "unknown_key"]
    doc.save()
    saved = json.loads(path.read_text())
    assert saved == archive
    assert list(saved) == ["data", "metadata"]
    assert list(saved["data"]) == ["etching_steps", "m_def", "name", "x_custom"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None)
@given(extra=st.dictionaries(st.text(min_size=1, max_size=10).filter(
    lambda k: k not in {"m_def", "name", "etching_steps"}), json_values, max_size=4))
def test_any_unknown_content_round_trips_unchanged(extra, tmp_path_factory):
    archive = {"data": {"m_def": RIE, "name": "n", **extra,
                        "etching_steps": [{"name": "e", **extra}]}}
    path = tmp_path_factory.mktemp("rt") / "x.archive.json"
    path.write_text(json.dumps(archive))
    doc = load_document(path)
    doc.save()
    assert json.loads(path.read_text()) == archive
    assert load_document(path).to_json() == path.read_text()
