"""JSON Schema (draft 2020-12) export and import, in the structure NOMAD 2.x serves.

A document describes one section class: its own quantities and sub-sections under
``properties``, its direct bases under ``allOf`` (``$ref``), and every other section it
needs (bases, sub-section classes, transitively) under ``$defs`` keyed by m_def. Quantity
properties carry ``nomad_type`` (``str``, ``float64``, ``int32``, ``bool``, ``datetime``,
``enum``, ``Reference``, ``dict``), ``unit``, ``enum``, ``reference_section_def``; a shape
``["*"]`` quantity is an ``array`` of items. A non-repeating sub-section is a ``$ref``, a
repeating one an ``array`` of ``$ref`` items. ``$id``/``$ref`` URLs end in
``/schemas/<m_def>`` optionally followed by ``@<hash>``.
"""

from __future__ import annotations

from .model import ClassDef, Quantity, SchemaSet, SubSection, reference_target, type_kind

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_BASE_URL = "https://nomad-lab.eu/prod/v1/api/v1/schemas"

_NOMAD_TYPE = {  # metainfo type -> nomad_type
    "str": "str", "bool": "bool", "int": "int32", "np.int32": "int32", "np.int64": "int64",
    "np.int16": "int16", "np.int8": "int8", "float": "float64", "np.float64": "float64",
    "np.float32": "float32", "Datetime": "datetime", "MEnum": "enum", "JSON": "dict",
    "dict": "dict",
}
_FROM_NOMAD_TYPE = {  # nomad_type -> metainfo type
    "str": "str", "bool": "bool", "int32": "int", "int64": "np.int64", "int16": "np.int16",
    "int8": "np.int8", "float64": "np.float64", "float32": "np.float32",
    "datetime": "Datetime", "enum": "MEnum", "dict": "JSON",
}
_JSON_TYPE = {
    "str": "string", "bool": "boolean", "int": "integer", "float": "number",
    "datetime": "string", "enum": "string", "reference": "string", "json": "object",
}
_FROM_JSON_TYPE = {
    "string": "str", "boolean": "bool", "integer": "int", "number": "np.float64",
    "object": "JSON",
}


# ---------------------------------------------------------------- export


def _url(base_url: str, m_def: str) -> str:
    return f"{base_url}/{m_def}"


def _value_schema(q: Quantity) -> dict:
    kind = q.kind
    out: dict = {}
    if kind in _JSON_TYPE:
        out["type"] = _JSON_TYPE[kind]
    if kind == "datetime":
        out["format"] = "date-time"
    if kind == "enum" and q.enum is not None:
        out["enum"] = sorted(q.enum)
    if q.unit:
        out["unit"] = q.unit
    return out


def _quantity_schema(q: Quantity) -> dict:
    out: dict = {"nomad_type": _NOMAD_TYPE.get(q.type, q.type)}
    target = reference_target(q.type)
    if target is not None:
        out["nomad_type"] = "Reference"
        out["reference_section_def"] = target
    value = _value_schema(q)
    for dim in reversed(q.shape):
        array: dict = {"type": "array", "items": value}
        if isinstance(dim, int):
            array["minItems"] = array["maxItems"] = dim
        value = array
    out.update(value)
    return out


def _section_schema(schemas: SchemaSet, cls: ClassDef, base_url: str) -> dict:
    out: dict = {"title": cls.short_name, "type": "object", "$id": _url(base_url, cls.m_def)}
    bases = [b for b in cls.bases if b in schemas.classes]
    if bases:
        out["allOf"] = [{"$ref": _url(base_url, b)} for b in bases]
    quantities, subsections = schemas.own_members(cls.m_def)
    props = {n: _quantity_schema(q) for n, q in quantities.items()}
    for n, s in subsections.items():
        ref = {"$ref": _url(base_url, s.section)}
        props[n] = {"type": "array", "items": ref} if s.repeats else ref
    if props:
        out["properties"] = props
    return out


def _needed(schemas: SchemaSet, m_def: str) -> list[str]:
    """Classes the document of ``m_def`` must define in $defs (bases, sub-sections)."""
    seen: list[str] = []
    todo = [m_def]
    while todo:
        cur = todo.pop(0)
        cls = schemas.get(cur)
        if cls is None or cur in seen:
            continue
        seen.append(cur)
        todo.extend(cls.bases)
        todo.extend(s.section for s in schemas.own_members(cur)[1].values())
    return seen[1:]


def to_jsonschema(schemas: SchemaSet, m_def: str, base_url: str | None = None) -> dict:
    """JSON Schema document for ``m_def``; KeyError when the set has no such class."""
    base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
    cls = schemas.classes[m_def]
    doc = {"$schema": DRAFT, **_section_schema(schemas, cls, base_url)}
    defs = {n: _section_schema(schemas, schemas.classes[n], base_url)
            for n in _needed(schemas, m_def)}
    if defs:
        doc["$defs"] = defs
    return doc


# ---------------------------------------------------------------- import


def m_def_of(url: str) -> str:
    """``…/schemas/<m_def>@<hash>`` (or a bare m_def, optionally with @hash) -> m_def."""
    tail = url.rsplit("/schemas/", 1)[-1]
    return tail.split("@", 1)[0]


def _parse_quantity(name: str, prop: dict) -> Quantity:
    shape: list = []
    value = prop
    while value.get("type") == "array" and isinstance(value.get("items"), dict):
        if "minItems" in value and value.get("minItems") == value.get("maxItems"):
            shape.append(int(value["minItems"]))
        else:
            shape.append("*")
        value = value["items"]
    nomad_type = prop.get("nomad_type")
    if nomad_type == "Reference":
        type_name = f"Reference({m_def_of(prop.get('reference_section_def', ''))})"
    elif nomad_type is not None:
        type_name = _FROM_NOMAD_TYPE.get(nomad_type, nomad_type)
    elif value.get("format") == "date-time":
        type_name = "Datetime"
    elif "enum" in value:
        type_name = "MEnum"
    else:
        type_name = _FROM_JSON_TYPE.get(value.get("type"), "unknown")
    enum = value.get("enum", prop.get("enum"))
    return Quantity(
        name=name,
        type=type_name,
        unit=value.get("unit", prop.get("unit")),
        shape=tuple(shape),
        enum=tuple(enum) if enum is not None else None,
    )


def _sub_section_ref(prop: dict) -> tuple[str, bool] | None:
    if "$ref" in prop and "nomad_type" not in prop:
        return m_def_of(prop["$ref"]), False
    items = prop.get("items")
    if prop.get("type") == "array" and isinstance(items, dict) and "$ref" in items:
        return m_def_of(items["$ref"]), True
    return None


def _parse_section(section: dict) -> tuple[list[str], dict, dict]:
    bases = [m_def_of(a["$ref"]) for a in section.get("allOf", []) if "$ref" in a]
    quantities: dict[str, Quantity] = {}
    subsections: dict[str, SubSection] = {}
    for name, prop in section.get("properties", {}).items():
        ref = _sub_section_ref(prop)
        if ref is not None:
            subsections[name] = SubSection(name, ref[0], ref[1])
        else:
            quantities[name] = _parse_quantity(name, prop)
    return bases, quantities, subsections


def linearize(m_def: str, bases_of: dict[str, list[str]]) -> list[str]:
    """C3 method resolution order of ``m_def`` (classes without entry count as roots)."""
    memo: dict[str, list[str]] = {}

    def mro(name: str, stack: tuple = ()) -> list[str]:
        if name in memo:
            return memo[name]
        if name in stack:
            raise ValueError(f"cyclic bases at {name}")
        bases = bases_of.get(name, [])
        seqs = [list(mro(b, stack + (name,))) for b in bases] + [list(bases)]
        result = [name]
        while any(seqs):
            seqs = [s for s in seqs if s]
            for seq in seqs:
                head = seq[0]
                if not any(head in s[1:] for s in seqs):
                    break
            else:
                raise ValueError(f"inconsistent bases for {name}")
            result.append(head)
            for s in seqs:
                if s and s[0] == head:
                    del s[0]
        memo[name] = result
        return result

    return mro(m_def)


def build_classes(raw: dict[str, tuple[list[str], dict, dict]],
                  unreachable: frozenset[str] = frozenset()) -> dict[str, ClassDef]:
    """Flatten own members over the C3 MRO: raw is m_def -> (bases, quantities, subsections)."""
    bases_of = {m: r[0] for m, r in raw.items()}
    classes = {}
    for m_def, (bases, _, _) in raw.items():
        mro = linearize(m_def, bases_of)
        quantities: dict[str, Quantity] = {}
        subsections: dict[str, SubSection] = {}
        for name in reversed(mro):
            if name in raw:
                quantities.update(raw[name][1])
                subsections.update(raw[name][2])
        classes[m_def] = ClassDef(
            m_def=m_def, bases=tuple(bases), mro=tuple(mro[1:]), quantities=quantities,
            subsections=subsections, unreachable=m_def in unreachable,
        )
    return classes


def from_jsonschema(name: str, docs: dict[str, dict]) -> SchemaSet:
    """Read JSON Schema documents (m_def -> document) back into a SchemaSet."""
    raw: dict[str, tuple[list[str], dict, dict]] = {}
    for m_def, doc in docs.items():
        for def_name, section in doc.get("$defs", {}).items():
            key = m_def_of(section.get("$id", def_name))
            raw.setdefault(key, _parse_section(section))
        raw[m_def_of(m_def)] = _parse_section(doc)
    return SchemaSet(name, build_classes(raw))


__all__ = ["to_jsonschema", "from_jsonschema", "m_def_of", "linearize", "build_classes",
           "type_kind"]
