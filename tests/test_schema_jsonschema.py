"""JSON Schema export/import: NOMAD's structure, round trips, and parity with NOMAD's answers."""

import json
from pathlib import Path

import pytest

from cams_module.schema import SchemaSet, load_schema_set, validate_archive

SETS = ["fabrication-utilities-2.0", "fabrication-utilities-2025.04"]
# NOMAD's own answers to GET /schemas/<m_def>?format=jsonschema (descriptions removed)
NOMAD_ANSWERS = Path(__file__).parent / "data" / "nomad-jsonschema"
REAL_DIRS = {"fabrication-utilities-2.0": "2.0.0", "fabrication-utilities-2025.04": "2025.04"}
FIXTURES = Path(__file__).parent / "data" / "schema-jsonschema"
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"


def facts(cls):
    """What must survive a round trip: kinds, units, shapes, enums, references, sub-sections."""
    quantities = {
        n: (q.kind, q.reference_to, q.unit, q.shape, tuple(sorted(q.enum)) if q.enum else None)
        for n, q in cls.quantities.items()
    }
    subsections = {n: (s.section, s.repeats) for n, s in cls.subsections.items()}
    return quantities, subsections, cls.bases, cls.mro


def assert_same_facts(read: SchemaSet, snapshot: SchemaSet, only=None):
    names = only if only is not None else list(read.classes)
    assert names
    for m_def in names:
        assert m_def in snapshot.classes, m_def
        assert facts(read.classes[m_def]) == facts(snapshot.classes[m_def]), m_def


@pytest.mark.parametrize("name", SETS)
def test_round_trip_every_step_class(name):
    schemas = load_schema_set(name)
    processes = [m for m in schemas.entry_classes() if m.endswith(".FabricationProcess")]
    assert len(processes) == 1
    for m_def in schemas.step_classes() + processes:
        doc = schemas.to_jsonschema(m_def)
        json.dumps(doc)  # plain JSON
        back = SchemaSet.from_jsonschema("back", {m_def: doc})
        assert_same_facts(back, schemas)
        # the document holds every class the archive may contain
        assert m_def in back.classes
        for cls in back.classes.values():
            for sub in cls.subsections.values():
                assert sub.section in back.classes, (m_def, sub.section)


def test_structure_like_nomad():
    schemas = load_schema_set("fabrication-utilities-2.0")
    doc = schemas.to_jsonschema(RIE)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["type"] == "object" and doc["title"] == "RIE"
    assert doc["$id"].endswith("/schemas/" + RIE)
    assert [a["$ref"].rsplit("/", 1)[-1] for a in doc["allOf"]] == [
        "schema_packages.fabrication_utilities.FabricationProcessStep"]
    props = doc["properties"]
    # only the class's own members; inherited ones live in the bases' $defs
    assert "name" not in props and "name" in json.dumps(doc["$defs"])
    assert props["depth_target"] == {"nomad_type": "float64", "type": "number",
                                     "unit": "nanometer"}
    assert props["wafer_side"] == {"nomad_type": "enum", "type": "string",
                                   "enum": ["back", "front"]}
    assert props["endpoint"] == {"nomad_type": "bool", "type": "boolean"}
    assert props["etching_steps"]["type"] == "array"
    assert props["etching_steps"]["items"]["$ref"].endswith(
        "/schema_packages.steps.remove.etching.dry_etching.RIEbase")
    defs = doc["$defs"]
    assert "schema_packages.steps.remove.etching.dry_etching.RIEbase" in defs
    base = defs["schema_packages.fabrication_utilities.FabricationProcessStepBase"]
    assert base["properties"]["starting_date"] == {
        "nomad_type": "datetime", "type": "string", "format": "date-time"}
    step = defs["schema_packages.fabrication_utilities.FabricationProcessStep"]
    ref = step["properties"]["definition_of_process_step"]
    assert ref["nomad_type"] == "Reference" and ref["type"] == "string"
    assert ref["reference_section_def"] == \
        "schema_packages.fabrication_utilities.TechniqueSubCategory"
    outputs = defs["schema_packages.steps.utils.EtchingOutputs"]["properties"]
    assert outputs["job_number"] == {"nomad_type": "int32", "type": "integer"}
    assert not prose(doc)  # facts only


def prose(node) -> list:
    """Every 'description' text in a JSON Schema document."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "description" and isinstance(v, str)]
        return found + [t for v in node.values() for t in prose(v)]
    if isinstance(node, list):
        return [t for v in node for t in prose(v)]
    return []


def test_shape_and_non_repeating_sub_section():
    schemas = load_schema_set("fabrication-utilities-2.0")
    doc = schemas.to_jsonschema("schema_packages.steps.transform.dicing.dicing.Dicing")
    out = doc["$defs"]["schema_packages.steps.utils.DicingOutputs"]["properties"]
    assert out["wafer_dice_name"] == {"nomad_type": "str", "type": "array",
                                      "items": {"type": "string"}}
    assert "$ref" in doc["properties"]["outputs"]


def test_from_jsonschema_signatures():
    schemas = load_schema_set("fabrication-utilities-2.0")
    doc = schemas.to_jsonschema(RIE)
    assert SchemaSet.from_jsonschema("x", {RIE: doc}).name == "x"
    unnamed = SchemaSet.from_jsonschema({RIE: doc})
    assert unnamed.name == "jsonschema" and unnamed.get(RIE) is not None
    with pytest.raises(TypeError):
        SchemaSet.from_jsonschema("x")


def test_base_url_and_unknown_class():
    schemas = load_schema_set("fabrication-utilities-2.0")
    doc = schemas.to_jsonschema(RIE, base_url="http://127.0.0.1:9/api/v1/schemas/")
    assert doc["$id"] == f"http://127.0.0.1:9/api/v1/schemas/{RIE}"
    with pytest.raises(KeyError):
        schemas.to_jsonschema("no.such.Class")


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem[:40])
def test_committed_nomad_style_fixture_reads_back(path):
    set_name, m_def = path.stem.split("--")
    doc = json.loads(path.read_text(encoding="utf-8"))
    read = SchemaSet.from_jsonschema("fixture", {m_def: doc})
    assert_same_facts(read, load_schema_set(set_name))
    # a set built from JSON Schema validates like the snapshot
    assert validate_archive({"data": {"m_def": m_def, "bogus": 1}}, read)[0].code == "unknown_key"
    assert validate_archive({"data": {"m_def": m_def, "name": "x"}}, read) == []


@pytest.mark.parametrize("name", SETS)
def test_nomad_answers_match_the_snapshot(name):
    folder = NOMAD_ANSWERS / REAL_DIRS[name]
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    assert len(docs) >= 26
    read = SchemaSet.from_jsonschema(name, docs)
    snapshot = load_schema_set(name)
    assert_same_facts(read, snapshot)
    # every class NOMAD serves is a loadable entry class of the snapshot
    for m_def in docs:
        assert snapshot.get(m_def).is_entry and not snapshot.get(m_def).unreachable


def test_real_nomad_schema_validates_the_example():
    folder = NOMAD_ANSWERS / "2.0.0"
    docs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    read = SchemaSet.from_jsonschema("nomad", docs)
    example = Path(__file__).parent / "data" / "plugin-example-2.0.0"
    files = {p.name: json.loads(p.read_text(encoding="utf-8"))
             for p in example.glob("*.archive.json")}
    counts = {n: len(validate_archive(a, read, upload_mainfiles=set(files)))
              for n, a in files.items()}
    assert sum(counts.values()) == counts["Prova_cleaning.archive.json"] == 5
