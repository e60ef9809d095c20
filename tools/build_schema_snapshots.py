"""Developer script: regenerate cams_module/schema/snapshots/*.json from reference material.

Reads the flat plugin catalogues (and, for NOMAD's own base sections such as
ElementalComposition and for NOMAD's unit spelling, the JSON Schema answers) under
``/work/shared/nomad`` (override with ``--shared DIR``) and writes the project's compact
snapshot format: facts only (class names, bases, quantities with type/unit/shape/enum,
sub-sections, the unreachable flag, and each unit's symbol as the editor shows it). Kept:
the process/step classes NOMAD serves a JSON Schema for, plus every class they reach
through bases and sub-sections. Also rewrites the CI fixtures in
tests/data/schema-jsonschema/ (our own to_jsonschema output, NOMAD-dressed).

    .venv/bin/python tools/build_schema_snapshots.py [--shared DIR] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pint

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cams_module.cams2nomad.units import unit_symbol  # noqa: E402
from cams_module.schema.jsonschema_io import (  # noqa: E402
    _parse_section,
    build_classes,
    from_jsonschema,
    m_def_of,
)
from cams_module.schema.model import ClassDef, Quantity, SchemaSet, SubSection  # noqa: E402
from cams_module.schema.snapshot import (  # noqa: E402
    SNAPSHOT_DIR,
    load_schema_set,
    snapshot_from_set,
)

SETS = {
    "fabrication-utilities-2.0": ("fabrication-utilities-2.0.0.catalogue.json",
                                  "jsonschema-2.0.0"),
    "fabrication-utilities-2025.04": ("fabrication-utilities-2025.04.catalogue.json",
                                      "jsonschema-2025.04"),
}
FIXTURE_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "schema-jsonschema"
FIXTURE_CLASSES = {  # our own to_jsonschema output, dressed like NOMAD's answers, for CI
    "fabrication-utilities-2.0": "schema_packages.steps.remove.etching.dry_etching.RIE",
    "fabrication-utilities-2025.04": "fabrication_facilities.schema_packages.remove.RIE",
}
UREG = pint.UnitRegistry()
MSECTION = "nomad.metainfo.metainfo.MSection"  # the metainfo root, not a section definition


def nomad_unit(unit: str | None) -> str | None:
    """The unit as NOMAD's API spells it (pint's default formatting)."""
    if not unit:
        return None
    return str(UREG.Unit(unit))


def load_docs(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.json"))}


def nomad_raw(docs: dict[str, dict]) -> dict[str, tuple]:
    """NOMAD base sections (m_def starting with ``nomad.``) found in the documents' $defs."""
    raw = {}
    for doc in docs.values():
        for key, section in doc.get("$defs", {}).items():
            m_def = m_def_of(section.get("$id", key))
            if m_def.startswith("nomad."):
                raw.setdefault(m_def, _parse_section(section))
    return raw


def nomad_names(docs: dict[str, dict]) -> set[str]:
    """Every NOMAD section name the documents mention ($id, $ref, reference targets)."""
    names: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$id", "$ref", "reference_section_def") and isinstance(value, str):
                    m_def = m_def_of(value)
                    if m_def.startswith("nomad."):
                        names.add(m_def)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(docs)
    return names


def build_set(name: str, catalogue: dict, docs: dict[str, dict]) -> tuple[SchemaSet, list]:
    meta = catalogue.pop("_meta", {})
    nomad = nomad_raw(docs)
    # The catalogue names some NOMAD sections without the ".v1" module NOMAD 2.x reports.
    rename = {m.replace(".v1.", "."): m for m in nomad_names(docs) if ".v1." in m}

    def rn(m_def: str) -> str:
        return rename.get(m_def, m_def)

    def rn_type(t: str) -> str:
        if t.startswith("Reference(") and t.endswith(")"):
            return f"Reference({rn(t[10:-1])})"
        return t

    served = from_jsonschema(name, docs) if docs else None
    notes = []

    def unit_of(cls: str, qname: str, unit: str | None) -> str | None:
        mine = nomad_unit(unit)
        if served is not None and cls in served.classes:
            q = served.classes[cls].quantities.get(qname)
            if q is not None and q.unit != mine:
                notes.append(f"{cls}.{qname}: unit {unit!r} -> {mine!r}, NOMAD says {q.unit!r}")
                return q.unit
        return mine

    classes = {}
    for m_def, c in catalogue.items():
        quantities = {}
        for qname, q in c["all_quantities"].items():
            origin = catalogue.get(q.get("from"), {}).get("quantities", {}).get(qname, {})
            enum = q.get("enum", origin.get("enum"))
            quantities[qname] = Quantity(
                name=qname, type=rn_type(q["type"]), unit=unit_of(m_def, qname, q.get("unit")),
                shape=tuple(q.get("shape") or ()),
                enum=tuple(enum) if enum is not None else None,
            )
        subsections = {
            sname: SubSection(sname, rn(s["section"]), bool(s["repeats"]))
            for sname, s in c["all_subsections"].items()
        }
        classes[m_def] = dict(
            bases=tuple(rn(b) for b in c["bases"]),
            mro=tuple(rn(b) for b in c["mro"][1:] if b != MSECTION),
            quantities=quantities, subsections=subsections,
            unreachable=bool(c.get("unreachable")),
        )
    all_classes = {m: ClassDef(m_def=m, **kw) for m, kw in classes.items()}
    all_classes.update({m: c for m, c in build_classes(nomad).items() if m not in all_classes})

    # Process/step classes: those NOMAD serves a schema for, plus every step/process entry
    # class of the catalogue (the unreachable ones have no served schema).
    # Also every calculation sheet (calculus: DepositionRate, EtchingRate, ...), which the
    # 2.0 profile writes beside the steps.
    roots = sorted(set(docs) | {
        m for m in catalogue
        if all_classes[m].is_entry and any(
            b.endswith((".FabricationProcessStep", ".FabricationProcess", ".BaseCalculusSheet"))
            for b in (m, *all_classes[m].mro))
    })
    keep: set[str] = set()
    todo = list(roots)
    while todo:
        m = todo.pop()
        if m in keep or m not in all_classes:
            continue
        keep.add(m)
        cls = all_classes[m]
        todo.extend(cls.mro)
        todo.extend(s.section for s in cls.subsections.values())
    missing = sorted({s.section for m in keep for s in all_classes[m].subsections.values()}
                     - keep)
    if missing:
        notes.append(f"sub-section classes without facts: {missing}")
    kept = {m: all_classes[m] for m in sorted(keep)}
    symbols = {q.unit: unit_symbol(q.unit) for c in kept.values()
               for q in c.quantities.values() if q.unit}
    schemas = SchemaSet(name, kept, symbols)
    return schemas, notes + [f"meta: {meta.get('plugin')}"]


def nomad_style(node):
    """Dress a document like NOMAD's answers: ``@<hash>`` on $id/$ref, placeholder text."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$id", "$ref") and isinstance(value, str):
                value = value + "@" + hashlib.sha1(value.encode()).hexdigest()
            out[key] = nomad_style(value)
        if "nomad_type" in out or "$ref" in out or out.get("type") == "object":
            out.setdefault("description", "fixture text")
        return out
    if isinstance(node, list):
        return [nomad_style(v) for v in node]
    return node


def write_fixtures(check: bool) -> bool:
    """Write tests/data/schema-jsonschema/<set>--<m_def>.json; True when one changed."""
    load_schema_set.cache_clear()
    changed = False
    for set_name, m_def in FIXTURE_CLASSES.items():
        doc = nomad_style(load_schema_set(set_name).to_jsonschema(m_def))
        path = FIXTURE_DIR / f"{set_name}--{m_def}.json"
        text = json.dumps(doc, indent=1) + "\n"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        changed |= old != text
        if not check:
            path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="/work/shared/nomad", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a snapshot would change")
    args = parser.parse_args(argv)
    changed = False
    for name, (cat_file, doc_dir) in SETS.items():
        catalogue = json.loads((args.shared / cat_file).read_text(encoding="utf-8"))
        meta = catalogue.get("_meta", {})
        docs = load_docs(args.shared / doc_dir) if (args.shared / doc_dir).is_dir() else {}
        schemas, notes = build_set(name, catalogue, docs)
        doc = snapshot_from_set(
            schemas,
            plugin=meta.get("plugin", ""),
            source={"commit": meta.get("commit"), "date": meta.get("date")},
        )
        text = json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
        path = SNAPSHOT_DIR / f"{name}.json"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        changed |= old != text
        for note in notes:
            print(f"{name}: {note}")
        print(f"{name}: {len(schemas.classes)} classes, {len(text)} bytes"
              f"{' (changed)' if old != text else ''}")
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if not args.check or not changed:
        fixtures_changed = write_fixtures(args.check)
        print(f"JSON Schema fixtures{' (changed)' if fixtures_changed else ''}")
        changed |= fixtures_changed
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
