"""The schema model: classes (sections), their quantities and sub-sections, and a named set.

Quantity types are the metainfo type strings the plugin declares (``str``, ``bool``, ``int``,
``np.float64``, ``float``, ``Datetime``, ``MEnum``, ``Reference(<m_def>)``, ``JSON``, ...).
``Quantity.kind`` folds them into the few kinds the validator checks; a type string it does
not know gets the kind ``any`` (any JSON scalar is accepted for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTRY_DATA = "nomad.datamodel.data.EntryData"

_KINDS = {
    "str": "str",
    "bool": "bool",
    "int": "int",
    "np.int8": "int",
    "np.int16": "int",
    "np.int32": "int",
    "np.int64": "int",
    "np.uint8": "int",
    "np.uint16": "int",
    "np.uint32": "int",
    "np.uint64": "int",
    "float": "float",
    "np.float32": "float",
    "np.float64": "float",
    "Datetime": "datetime",
    "MEnum": "enum",
    "JSON": "json",
    "dict": "json",
}


def type_kind(type_name: str) -> str:
    """The validation kind of a metainfo type string (``any`` for unknown types)."""
    if type_name.startswith("Reference(") and type_name.endswith(")"):
        return "reference"
    return _KINDS.get(type_name, "any")


def reference_target(type_name: str) -> str | None:
    """``Reference(X)`` -> ``X``; None for other types."""
    if type_name.startswith("Reference(") and type_name.endswith(")"):
        return type_name[len("Reference(") : -1]
    return None


@dataclass(frozen=True)
class Quantity:
    """One quantity: metainfo type string, unit (pint/NOMAD spelling), shape, enum values."""

    name: str
    type: str
    unit: str | None = None
    shape: tuple = ()
    enum: tuple[str, ...] | None = None

    @property
    def kind(self) -> str:
        return type_kind(self.type)

    @property
    def reference_to(self) -> str | None:
        return reference_target(self.type)


@dataclass(frozen=True)
class SubSection:
    """One sub-section: the section class it holds and whether it repeats (a list)."""

    name: str
    section: str
    repeats: bool


@dataclass(frozen=True)
class ClassDef:
    """A section class, with quantities and sub-sections flattened over its bases."""

    m_def: str
    bases: tuple[str, ...] = ()
    mro: tuple[str, ...] = ()
    quantities: dict[str, Quantity] = field(default_factory=dict, compare=False)
    subsections: dict[str, SubSection] = field(default_factory=dict, compare=False)
    unreachable: bool = False

    @property
    def short_name(self) -> str:
        return self.m_def.rsplit(".", 1)[-1]

    @property
    def is_entry(self) -> bool:
        """True when the class can be an entry's top-level ``data`` section."""
        return ENTRY_DATA in self.mro

    def is_a(self, m_def: str) -> bool:
        return m_def == self.m_def or m_def in self.mro


class SchemaSet:
    """A named, immutable set of section classes (``m_def`` -> ClassDef)."""

    def __init__(self, name: str, classes: dict[str, ClassDef],
                 unit_symbols: dict[str, str] | None = None):
        self.name = name
        self.classes = dict(classes)
        #: how people write each declared unit ("millibar" -> "mbar"): data from the
        #: snapshot, so messages show symbols without a unit library here
        self.unit_symbols = dict(unit_symbols or {})
        self._own: dict[str, tuple[dict[str, Quantity], dict[str, SubSection]]] = {}
        self.plans: dict = {}  # the validator's per-class plans, worked out on first use

    def __repr__(self) -> str:
        return f"SchemaSet({self.name!r}, {len(self.classes)} classes)"

    def unit_symbol(self, unit: str | None) -> str:
        """A declared unit as people write it ("mbar" for "millibar"), as the editor shows
        it; the unit as NOMAD spells it when the set has no symbol for it; '' for none."""
        return self.unit_symbols.get(unit, unit) if unit else ""

    def get(self, m_def: str) -> ClassDef | None:
        """The class named ``m_def``, or None."""
        return self.classes.get(m_def)

    def entry_classes(self) -> list[str]:
        """m_defs usable as an entry's ``data`` (EntryData subclasses), sorted."""
        return sorted(m for m, c in self.classes.items() if c.is_entry)

    def step_classes(self) -> list[str]:
        """Entry classes that are fabrication process steps (incl. the generic step)."""
        return sorted(
            m
            for m, c in self.classes.items()
            if c.is_entry and any(b.endswith(".FabricationProcessStep") for b in (m, *c.mro))
        )

    def own_members(self, m_def: str) -> tuple[dict[str, Quantity], dict[str, SubSection]]:
        """Quantities and sub-sections a class defines itself (not identical in a base)."""
        if m_def not in self._own:
            cls = self.classes[m_def]
            bases = [self.classes[b] for b in cls.bases if b in self.classes]
            quantities = {
                n: q for n, q in cls.quantities.items()
                if not any(b.quantities.get(n) == q for b in bases)
            }
            subsections = {
                n: s for n, s in cls.subsections.items()
                if not any(b.subsections.get(n) == s for b in bases)
            }
            self._own[m_def] = (quantities, subsections)
        return self._own[m_def]

    def to_jsonschema(self, m_def: str, base_url: str | None = None) -> dict:
        """JSON Schema (draft 2020-12) of ``m_def``, structured like NOMAD 2.x answers."""
        from .jsonschema_io import to_jsonschema

        return to_jsonschema(self, m_def, base_url=base_url)

    @classmethod
    def from_jsonschema(cls, name_or_docs: str | dict, docs: dict | None = None) -> SchemaSet:
        """Build a set from JSON Schema documents (NOMAD's or ours), keyed by m_def.

        ``SchemaSet.from_jsonschema(name, docs)``; ``from_jsonschema(docs)`` names the set
        ``"jsonschema"``.
        """
        from .jsonschema_io import from_jsonschema

        if docs is None:
            if not isinstance(name_or_docs, dict):
                raise TypeError("from_jsonschema(name, docs) needs the documents")
            return from_jsonschema("jsonschema", name_or_docs)
        return from_jsonschema(str(name_or_docs), docs)
