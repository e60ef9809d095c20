"""A schema set's classes as a NOMAD YAML schema package, for uploads that carry their schema.

A NOMAD without the facility plugin (e.g. the central NOMAD) cannot load the plugin's
``m_def``s; an upload that holds ``<name>.archive.yaml`` with a ``definitions:`` section
processes there. This module writes that package from a shipped snapshot:

    package = schema_package(schemas, roots)        # dict, plain data
    text = yaml_text(package)                       # the file's text
    m_def = embedded_m_def("cams_schema.archive.yaml", "RIE")

Sections are named by their short class name (unique within a snapshot); NOMAD's own
classes (``nomad.*``) are not copied but named by their qualified name, which NOMAD
resolves from its own packages. Each section lists only its own members; the rest comes
from its base sections.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from .model import ClassDef, Quantity, SchemaSet, SubSection

DEFAULT_FILE = "cams_schema.archive.yaml"
ANY_SECTION = "nomad.datamodel.data.ArchiveSection"
_OWN_PREFIX = "nomad."


def embedded_m_def(file_name: str, section: str) -> str:
    """The ``m_def`` of an archive whose class lives in the upload's YAML package."""
    return f"../upload/raw/{file_name}#/definitions/section_definitions/{section}"


def is_nomad_class(m_def: str) -> bool:
    """True for NOMAD's own classes, which every NOMAD knows (never copied)."""
    return m_def.startswith(_OWN_PREFIX)


def closure(schemas: SchemaSet, roots: list[str]) -> list[str]:
    """The plugin classes ``roots`` need: themselves, bases, sub-sections, reference targets."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        m_def = todo.pop()
        if m_def in seen or is_nomad_class(m_def):
            continue
        cls = schemas.get(m_def)
        if cls is None:
            raise KeyError(f"class {m_def} is not in schema set {schemas.name}")
        seen.add(m_def)
        todo.extend(cls.bases)
        todo.extend(s.section for s in cls.subsections.values())
        todo.extend(q.reference_to for q in cls.quantities.values()
                    if q.reference_to and schemas.get(q.reference_to))
    return sorted(seen, key=lambda m: (m.rsplit(".", 1)[-1], m))


def section_names(schemas: SchemaSet, m_defs: list[str]) -> dict[str, str]:
    """m_def -> section name in the package (short class name; refuses a clash)."""
    names: dict[str, str] = {}
    for m_def in m_defs:
        short = m_def.rsplit(".", 1)[-1]
        if short in names.values():
            raise ValueError(f"two classes named {short} in schema set {schemas.name}")
        names[m_def] = short
    return names


def schema_package(schemas: SchemaSet, roots: list[str], name: str | None = None) -> dict:
    """The YAML package (as plain data) defining ``roots`` and every class they need."""
    m_defs = closure(schemas, roots)
    names = section_names(schemas, m_defs)
    sections = {names[m]: _section(schemas, schemas.classes[m], names) for m in m_defs}
    return {"definitions": {"name": name or f"cams-nomad {schemas.name}",
                            "sections": sections}}


def _ref(m_def: str, names: dict[str, str]) -> str:
    """How the package names a class: ``#/<Name>`` in the package, else NOMAD's name.

    A reference target the snapshot holds no facts about (e.g. the plugin's Equipment)
    becomes NOMAD's ``ArchiveSection``: the quantity stays, taking any section.
    """
    if is_nomad_class(m_def):
        return m_def
    return f"#/{names[m_def]}" if m_def in names else ANY_SECTION


def _section(schemas: SchemaSet, cls: ClassDef, names: dict[str, str]) -> dict:
    own_quantities, own_subsections = schemas.own_members(cls.m_def)
    out: dict[str, Any] = {}
    if cls.bases:
        out["base_sections"] = [_ref(b, names) for b in cls.bases]
    if own_quantities:
        out["quantities"] = {n: _quantity(q, names) for n, q in own_quantities.items()}
    if own_subsections:
        out["sub_sections"] = {n: _sub_section(s, names) for n, s in own_subsections.items()}
    return out


def _quantity(q: Quantity, names: dict[str, str]) -> dict:
    out: dict[str, Any] = {}
    if q.reference_to:  # the explicit form: a bare name could read as a data type
        out["type"] = {"type_kind": "reference", "type_data": _ref(q.reference_to, names)}
    elif q.kind == "enum":
        out["type"] = {"type_kind": "Enum", "type_data": list(q.enum or ())}
    else:
        out["type"] = q.type
    if q.unit:
        out["unit"] = q.unit
    if q.shape:
        out["shape"] = list(q.shape)
    return out


def _sub_section(s: SubSection, names: dict[str, str]) -> dict:
    return {"section": _ref(s.section, names), "repeats": s.repeats}


def yaml_text(data: Any) -> str:
    """Block-style YAML of plain data, keys in the given order (PyYAML's safe dumper)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=1000)


def embed(archives: dict[str, dict], schemas: SchemaSet,
          file_name: str = DEFAULT_FILE) -> dict[str, dict]:
    """Archives whose ``m_def``s point into a YAML package of ``schemas``, plus that package.

    The package (under ``file_name``) defines exactly the classes the archives use; values,
    units and references are unchanged.
    """
    if file_name in archives or not file_name.endswith(".archive.yaml"):
        raise ValueError(f"cannot embed the schema as {file_name!r}")
    roots = sorted({a["data"]["m_def"] for a in archives.values()})
    package = schema_package(schemas, roots)
    names = section_names(schemas, closure(schemas, roots))
    out: dict[str, dict] = {}
    for name, archive in archives.items():
        data = dict(archive["data"])
        data["m_def"] = embedded_m_def(file_name, names[data["m_def"]])
        out[name] = {**archive, "data": data}
    out[file_name] = package
    return out


SCHEMA_MODES = ("plugin", "embedded")


def schema_mode(value: str | None = None) -> str:
    """``plugin`` (archives name the plugin's classes; default) or ``embedded``.

    ``value`` (e.g. a command-line choice) wins over env ``CAMS_NOMAD_SCHEMA``.
    """
    mode = (value or os.environ.get("CAMS_NOMAD_SCHEMA") or "plugin").strip().lower()
    if mode not in SCHEMA_MODES:
        raise ValueError(f"unknown schema mode {mode!r} (CAMS_NOMAD_SCHEMA): "
                         f"use one of {', '.join(SCHEMA_MODES)}")
    return mode
