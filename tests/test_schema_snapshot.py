"""Shipped snapshots: names, loading, caching, and the facts the contract promises."""

import json

import pytest

from cams_module.cams2nomad.units import unit_symbol
from cams_module.schema import load_schema_set, schema_set_names
from cams_module.schema.snapshot import SNAPSHOT_DIR, set_from_snapshot, snapshot_from_set

SETS = ["fabrication-utilities-2.0", "fabrication-utilities-2025.04"]


def test_names():
    assert schema_set_names() == SETS


def test_unknown_name_lists_known():
    with pytest.raises(KeyError, match="fabrication-utilities-2.0"):
        load_schema_set("fabrication-utilities-1.0")


def test_cached():
    assert load_schema_set(SETS[0]) is load_schema_set(SETS[0])


@pytest.mark.parametrize("name", SETS)
def test_snapshot_round_trip_and_no_prose(name):
    path = SNAPSHOT_DIR / f"{name}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    schemas = set_from_snapshot(doc)
    meta = {k: v for k, v in doc.items() if k not in ("format", "name", "classes")}
    assert snapshot_from_set(schemas, **meta) == doc
    for cls in doc["classes"].values():  # facts only: no prose, no GUI annotations
        assert set(cls) <= {"bases", "mro", "unreachable", "quantities", "subsections"}
        for q in cls["quantities"].values():
            assert set(q) <= {"type", "unit", "shape", "enum"}


def test_contract_facts_2_0():
    s = load_schema_set("fabrication-utilities-2.0")
    assert s.name == "fabrication-utilities-2.0"
    rie = s.get("schema_packages.steps.remove.etching.dry_etching.RIE")
    assert rie.quantities["depth_target"].type == "np.float64"
    assert rie.quantities["depth_target"].unit == "nanometer"
    assert rie.quantities["wafer_side"].enum == ("front", "back")
    assert rie.quantities["starting_date"].kind == "datetime"  # inherited, flattened
    sub = rie.subsections["etching_steps"]
    assert (sub.section, sub.repeats) == ("schema_packages.steps.remove.etching.dry_etching."
                                          "RIEbase", True)
    base = s.get(sub.section)
    assert base.quantities["chamber_pressure"].unit == "millibar"  # NOMAD's spelling of mbar
    unreachable = sorted(m.rsplit(".", 1)[-1] for m, c in s.classes.items() if c.unreachable)
    assert unreachable == ["Doping", "LTODensification", "SOD", "Track"]
    assert s.get("no.such.Class") is None
    process = s.get("schema_packages.fabrication_utilities.FabricationProcess")
    assert process.subsections["output"].repeats is False
    assert process.quantities["steps"].shape == ("*",)
    assert process.quantities["steps"].reference_to == \
        "schema_packages.fabrication_utilities.FabricationProcessStep"


def test_nomad_base_sections_are_included():
    s = load_schema_set("fabrication-utilities-2.0")
    comp = s.get("nomad.datamodel.metainfo.basesections.v1.ElementalComposition")
    assert comp is not None and "Si" in comp.quantities["element"].enum
    assert s.get("nomad.datamodel.metainfo.plot.PlotlyFigure").quantities["figure"].kind == "json"


def test_2025_04_has_no_unreachable_and_old_names():
    s = load_schema_set("fabrication-utilities-2025.04")
    assert not any(c.unreachable for c in s.classes.values())
    assert all(m.startswith(("fabrication_facilities.", "nomad.")) for m in s.classes)
    assert "fabrication_facilities.schema_packages.transform.Track" in s.step_classes()


@pytest.mark.parametrize("name", SETS)
def test_every_type_string_has_a_kind(name):
    s = load_schema_set(name)
    kinds = {q.kind for c in s.classes.values() for q in c.quantities.values()}
    assert "any" not in kinds
    assert {"str", "bool", "int", "float", "datetime", "enum", "reference"} <= kinds


@pytest.mark.parametrize("name", SETS)
def test_every_unit_has_the_symbol_the_editor_shows(name):
    """The symbol table shipped with a snapshot is the unit parser's own symbols (schema/
    itself holds no unit library), for every unit the set declares."""
    schemas = load_schema_set(name)
    declared = {q.unit for c in schemas.classes.values() for q in c.quantities.values()
                if q.unit}
    assert schemas.unit_symbols == {unit: unit_symbol(unit) for unit in declared}
    assert schemas.unit_symbol("millibar") == "mbar" and schemas.unit_symbol(None) == ""
    assert schemas.unit_symbol("furlong") == "furlong"  # not in the table: NOMAD's spelling
