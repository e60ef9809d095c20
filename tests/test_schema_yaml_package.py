"""The embedded schema: the profile's classes as a NOMAD YAML schema package in the upload.

Offline checks of what the real-NOMAD tier (tests/realnomad) proves end to end."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from cams_module.export import export_process, write_zip
from cams_module.schema import load_schema_set
from cams_module.schema.yaml_package import (
    DEFAULT_FILE,
    closure,
    embed,
    embedded_m_def,
    schema_mode,
    schema_package,
    yaml_text,
)

DOCS = Path(__file__).parent / "data" / "process_documents"
S20 = load_schema_set("fabrication-utilities-2.0")
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"


def exported(name: str = "picotcdv3.json"):
    return export_process(json.loads((DOCS / name).read_text(encoding="utf-8")))


def test_every_archive_points_into_the_package_and_keeps_its_values():
    result = exported()
    out = embed(result.archives, S20)
    package = out.pop(DEFAULT_FILE)
    sections = package["definitions"]["sections"]
    assert set(out) == set(result.archives)
    for name, archive in out.items():
        m_def = archive["data"]["m_def"]
        section = m_def.rsplit("/", 1)[-1]
        assert m_def == embedded_m_def(DEFAULT_FILE, section) and section in sections
        before = dict(result.archives[name]["data"])
        after = dict(archive["data"])
        before.pop("m_def"), after.pop("m_def")
        assert after == before, f"{name}: values changed"


def test_a_class_carries_its_quantities_with_type_unit_shape_and_enum():
    package = schema_package(S20, [RIE])
    sections = package["definitions"]["sections"]
    cls = S20.get(RIE)
    checked = 0
    for q_name, quantity in cls.quantities.items():
        # the nearest class of the MRO that declares it, as the package writes it
        owner = next((m for m in cls.mro if S20.get(m) is not None
                      and q_name in S20.own_members(m)[0]), None)
        if owner is None:  # from NOMAD's own base classes: named, not copied
            assert any(m.startswith("nomad.") and m in json.dumps(package) for m in cls.mro)
            continue
        yaml_q = sections[owner.rsplit(".", 1)[-1]]["quantities"][q_name]
        assert yaml_q.get("unit") == quantity.unit, q_name
        assert yaml_q.get("shape", []) == list(quantity.shape or ()), q_name
        if quantity.kind == "enum":
            assert yaml_q["type"] == {"type_kind": "Enum", "type_data": list(quantity.enum)}
        elif quantity.reference_to:
            assert yaml_q["type"]["type_kind"] == "reference"
        else:
            assert yaml_q["type"] == quantity.type
        checked += 1
    assert checked >= 10


def test_bases_and_sub_sections_are_in_the_closure():
    needed = closure(S20, [RIE])
    cls = S20.get(RIE)
    assert RIE in needed
    assert all(b in needed for b in cls.bases if not b.startswith("nomad."))
    assert all(s.section in needed for s in cls.subsections.values()
               if not s.section.startswith("nomad."))


def test_the_yaml_file_reads_back_as_the_package():
    package = schema_package(S20, [RIE])
    assert yaml.safe_load(yaml_text(package)) == package


def test_the_zip_carries_the_yaml_file_and_json_archives(tmp_path):
    result = exported()
    archives = embed(result.archives, S20)
    target = tmp_path / "embedded.zip"
    write_zip(archives, target)
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as zf:
        names = zf.namelist()
        assert DEFAULT_FILE in names
        assert yaml.safe_load(zf.read(DEFAULT_FILE)) == archives[DEFAULT_FILE]
        for name in names:
            if name != DEFAULT_FILE:
                assert json.loads(zf.read(name)) == archives[name]


def test_the_schema_mode_names_the_setting_when_wrong(monkeypatch):
    monkeypatch.setenv("CAMS_NOMAD_SCHEMA", "Embedded ")
    assert schema_mode() == "embedded"
    assert schema_mode("plugin") == "plugin"
    monkeypatch.setenv("CAMS_NOMAD_SCHEMA", "inline")
    with pytest.raises(ValueError, match="CAMS_NOMAD_SCHEMA"):
        schema_mode()


def test_embedding_twice_or_under_a_json_name_is_refused():
    with pytest.raises(ValueError):
        embed(exported().archives, S20, file_name="schema.json")
