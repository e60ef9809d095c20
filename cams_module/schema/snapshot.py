"""The schema snapshots shipped in ``snapshots/<name>.json`` (facts only, no prose).

Format (``"format": "cams-nomad-schema/1"``)::

    {"format": ..., "name": ..., "plugin": ..., "source": {"commit": ..., "date": ...},
     "classes": {m_def: {"bases": [...], "mro": [...], "unreachable": true?,
                         "quantities": {name: {"type": ..., "unit"?: ..., "shape"?: [...],
                                               "enum"?: [...]}},
                         "subsections": {name: {"section": m_def, "repeats": bool}}}},
     "unit_symbols"?: {unit: symbol}}

Quantities and sub-sections are flattened over the bases; units are spelled as NOMAD's API
spells them (pint's long names, e.g. ``nanometer / minute``). ``unit_symbols`` says how
people write each of them (``nm / min``), as the editor shows them, for messages.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .model import ClassDef, Quantity, SchemaSet, SubSection

FORMAT = "cams-nomad-schema/1"
SNAPSHOT_DIR = Path(__file__).with_name("snapshots")


def schema_set_names() -> list[str]:
    """Names of the shipped schema sets, sorted."""
    return sorted(p.stem for p in SNAPSHOT_DIR.glob("*.json"))


@cache
def load_schema_set(name: str) -> SchemaSet:
    """The shipped schema set ``name`` (cached); KeyError lists the known names."""
    path = SNAPSHOT_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(
            f"unknown schema set {name!r}; known: {', '.join(schema_set_names())}"
        )
    return set_from_snapshot(json.loads(path.read_text(encoding="utf-8")))


def set_from_snapshot(doc: dict) -> SchemaSet:
    """Build a SchemaSet from a parsed snapshot document."""
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} snapshot: format={doc.get('format')!r}")
    classes = {}
    for m_def, c in doc["classes"].items():
        quantities = {
            n: Quantity(
                name=n,
                type=q["type"],
                unit=q.get("unit"),
                shape=tuple(q.get("shape", ())),
                enum=tuple(q["enum"]) if "enum" in q else None,
            )
            for n, q in c.get("quantities", {}).items()
        }
        subsections = {
            n: SubSection(n, s["section"], bool(s["repeats"]))
            for n, s in c.get("subsections", {}).items()
        }
        classes[m_def] = ClassDef(
            m_def=m_def,
            bases=tuple(c.get("bases", ())),
            mro=tuple(c.get("mro", ())),
            quantities=quantities,
            subsections=subsections,
            unreachable=bool(c.get("unreachable", False)),
        )
    return SchemaSet(doc["name"], classes, doc.get("unit_symbols"))


def snapshot_from_set(schemas: SchemaSet, **meta) -> dict:
    """The snapshot document of a SchemaSet (inverse of ``set_from_snapshot``)."""
    classes = {}
    for m_def in sorted(schemas.classes):
        cls = schemas.classes[m_def]
        entry: dict = {"bases": list(cls.bases), "mro": list(cls.mro)}
        if cls.unreachable:
            entry["unreachable"] = True
        quantities = {}
        for n in cls.quantities:  # declared order (bases first): the editor saves in it
            q = cls.quantities[n]
            qd: dict = {"type": q.type}
            if q.unit:
                qd["unit"] = q.unit
            if q.shape:
                qd["shape"] = list(q.shape)
            if q.enum is not None:
                qd["enum"] = list(q.enum)
            quantities[n] = qd
        entry["quantities"] = quantities
        entry["subsections"] = {
            n: {"section": s.section, "repeats": s.repeats}
            for n, s in cls.subsections.items()
        }
        classes[m_def] = entry
    doc = {"format": FORMAT, "name": schemas.name, **meta, "classes": classes}
    if schemas.unit_symbols:
        doc["unit_symbols"] = dict(sorted(schemas.unit_symbols.items()))
    return doc
