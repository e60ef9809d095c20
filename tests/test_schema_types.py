"""Every metainfo type string the validator knows, and unknown ones, on a synthetic set."""

import pytest

from cams_module.schema import ClassDef, Quantity, SchemaSet, SubSection, validate_archive
from cams_module.schema.model import type_kind

ENTRY = "t.Entry"
PART = "t.Part"
SPECIAL_PART = "t.SpecialPart"
MRO_ENTRY = ("nomad.datamodel.data.EntryData", "nomad.datamodel.data.ArchiveSection")

QUANTITIES = [
    Quantity("i64", "np.int64"),
    Quantity("i32", "np.int32", unit="second"),
    Quantity("f", "float", unit="meter"),
    Quantity("f32", "np.float32"),
    Quantity("j", "JSON"),
    Quantity("cap", "Capitalized"),  # a type string the validator does not know
    Quantity("grid", "np.float64", unit="nanometer", shape=(3,)),
    Quantity("matrix", "int", shape=("*", 2)),
    Quantity("tags", "MEnum", shape=("*",), enum=("a", "b")),
    Quantity("free", "MEnum"),  # enum values unknown
    Quantity("refs", f"Reference({ENTRY})", shape=("*",)),
    Quantity("when", "Datetime", shape=("*",)),
]


@pytest.fixture(scope="module")
def synth():
    part = ClassDef(PART, bases=("nomad.datamodel.data.ArchiveSection",),
                    mro=("nomad.datamodel.data.ArchiveSection",),
                    quantities={"n": Quantity("n", "str")})
    special = ClassDef(SPECIAL_PART, bases=(PART,), mro=(PART, *part.mro),
                       quantities={"n": Quantity("n", "str"), "x": Quantity("x", "bool")})
    entry = ClassDef(
        ENTRY, bases=MRO_ENTRY[:1], mro=MRO_ENTRY,
        quantities={q.name: q for q in QUANTITIES},
        subsections={"part": SubSection("part", PART, False),
                     "parts": SubSection("parts", PART, True),
                     "ghost": SubSection("ghost", "t.NoFacts", False)},
    )
    archive_section = ClassDef(MRO_ENTRY[1])
    entry_data = ClassDef(MRO_ENTRY[0], bases=MRO_ENTRY[1:], mro=MRO_ENTRY[1:])
    return SchemaSet("synthetic", {c.m_def: c for c in (part, special, entry, archive_section,
                                                         entry_data)})


def check(synth, **fields):
    return validate_archive({"data": {"m_def": ENTRY, **fields}}, synth,
                            upload_mainfiles={"a.archive.json"})


def test_kinds():
    assert [type_kind(q.type) for q in QUANTITIES] == [
        "int", "int", "float", "float", "json", "any", "float", "int", "enum", "enum",
        "reference", "datetime"]
    assert type_kind("Reference(x.Y)") == "reference"
    assert type_kind("np.uint8") == "int"


def test_good_values(synth):
    assert check(
        synth, i64=2**40, i32=-5, f=1, f32=2.5, j={"any": [1, None]}, cap="Text",
        grid=[1, 2.5, 3], matrix=[[1, 2], [3, 4]], tags=["a", "b", "a"], free="anything",
        refs=["../upload/archive/mainfile/a.archive.json#data", "#/data/part"],
        when=["2025-01-01T00:00:00+00:00"], part={"n": "x"}, parts=[{"n": "y"}, {}],
    ) == []


def test_json_accepts_null_and_scalars(synth):
    assert check(synth, j=None) == []
    assert check(synth, j=3) == []


@pytest.mark.parametrize("value", [1, 2.5, True, "x"])
def test_unknown_type_accepts_scalars(synth, value):
    assert check(synth, cap=value) == []


@pytest.mark.parametrize("value", [[1], {"a": 1}])
def test_unknown_type_refuses_structures(synth, value):
    assert check(synth, cap=value)[0].code == "shape"


@pytest.mark.parametrize("field,value,code,path", [
    ("i64", 1.0, "type", "data.i64"),
    ("i64", "1", "type", "data.i64"),
    ("i32", 2**31, "type", "data.i32"),
    ("f", "1 m", "type", "data.f"),
    ("f32", False, "type", "data.f32"),
    ("grid", [1, 2], "shape", "data.grid"),
    ("grid", [1, 2, "3"], "type", "data.grid[2]"),
    ("grid", 1.0, "shape", "data.grid"),
    ("matrix", [[1, 2], [3]], "shape", "data.matrix[1]"),
    ("matrix", [[1, 2], [3, 4.5]], "type", "data.matrix[1][1]"),
    ("tags", ["a", "c"], "enum", "data.tags[1]"),
    ("tags", "a", "shape", "data.tags"),
    ("free", 3, "type", "data.free"),
    ("refs", ["../upload/archive/mainfile/b.archive.json#data"], "reference", "data.refs[0]"),
    ("when", ["2025-01-01"], "datetime", "data.when[0]"),
])
def test_bad_values(synth, field, value, code, path):
    problems = check(synth, **{field: value})
    assert [(p.code, p.path) for p in problems] == [(code, path)], problems
    assert field in problems[0].message


def test_units_in_messages(synth):
    assert "second" in check(synth, i32="5 s")[0].message
    assert "meter" in check(synth, f="1 m")[0].message
    assert "nanometer" in check(synth, grid=[1, "2 nm", 3])[0].message
    assert "3 values" in check(synth, grid=[1, 2])[0].message


def test_sub_section_subclass_keys(synth):
    assert check(synth, part={"m_def": SPECIAL_PART, "x": True}) == []
    problems = check(synth, part={"x": True})
    assert [(p.code, p.path) for p in problems] == [("unknown_key", "data.part.x")]
    problems = check(synth, parts=[{"m_def": 7}])
    assert [(p.code, p.path) for p in problems] == [("unknown_class", "data.parts[0].m_def")]
    problems = check(synth, parts=[{"m_def": "t.Unknown"}])
    assert [(p.code, p.path) for p in problems] == [("unknown_class", "data.parts[0].m_def")]


def test_sub_section_without_facts(synth):
    problems = check(synth, ghost={"a": 1})
    assert [(p.code, p.path) for p in problems] == [("unknown_class", "data.ghost")]


def test_round_trip_of_every_type(synth):
    doc = synth.to_jsonschema(ENTRY)
    props = doc["properties"]
    assert props["i64"]["nomad_type"] == "int64" and props["i64"]["type"] == "integer"
    assert props["j"] == {"nomad_type": "dict", "type": "object"}
    assert props["cap"] == {"nomad_type": "Capitalized"}
    assert props["grid"]["minItems"] == props["grid"]["maxItems"] == 3
    assert props["grid"]["items"] == {"type": "number", "unit": "nanometer"}
    assert props["tags"]["items"] == {"type": "string", "enum": ["a", "b"]}
    assert props["refs"]["reference_section_def"] == ENTRY
    assert props["when"]["items"] == {"type": "string", "format": "date-time"}
    assert props["part"] == {"$ref": f"https://nomad-lab.eu/prod/v1/api/v1/schemas/{PART}"}
    back = SchemaSet.from_jsonschema("back", {ENTRY: doc}).get(ENTRY)
    for q in QUANTITIES:
        r = back.quantities[q.name]
        assert (r.kind, r.unit, r.shape, r.enum, r.reference_to) == \
            (q.kind, q.unit, q.shape, q.enum, q.reference_to), q.name
    assert back.subsections["parts"] == SubSection("parts", PART, True)
    assert back.is_entry


def test_from_jsonschema_without_nomad_type():
    doc = {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "number", "unit": "meter"},
        "c": {"type": "integer"}, "d": {"type": "boolean"},
        "e": {"type": "string", "format": "date-time"}, "f": {"type": "string", "enum": ["x"]},
        "g": {}}}
    cls = SchemaSet.from_jsonschema("plain", {"p.Plain": doc}).get("p.Plain")
    assert {n: q.kind for n, q in cls.quantities.items()} == {
        "a": "str", "b": "float", "c": "int", "d": "bool", "e": "datetime", "f": "enum",
        "g": "any"}
    assert cls.quantities["b"].unit == "meter"
