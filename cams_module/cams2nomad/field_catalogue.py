"""The CAMS field catalogue (``catalogue/cams-fields.json``): every CAMS step type and the
fields it records, as data.

Each field has its CAMS name (typos included), a kind (text, number, integer, H:M:S,
Yes/No, choice), for numbers the unit CAMS records them in, for choices the options.
The demo task builds one jam.py item per step type from it (task/build.py) and the
reader's per-type layout finds each type's item and columns with the same names
(`type_item_name`, `column_name`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("catalogue") / "cams-fields.json"
KINDS = ("text", "number", "integer", "H:M:S", "Yes/No", "choice")
ITEM_NAME_UNIQUE = 15
HMS = re.compile(r"^\d{1,3}:[0-5]\d:[0-5]\d$")


@dataclass(frozen=True)
class CamsField:
    """One CAMS field of a step type."""

    name: str
    kind: str
    unit: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The form label: the CAMS name with the unit (or H:M:S) in brackets."""
        if self.unit:
            return f"{self.name} ({self.unit})"
        return f"{self.name} (H:M:S)" if self.kind == "H:M:S" else self.name


@dataclass(frozen=True)
class CamsStepType:
    """One CAMS step type and its fields, in catalogue order."""

    name: str
    fields: tuple[CamsField, ...]

    @property
    def item_name(self) -> str:
        """The jam.py item holding this type's steps' values."""
        return type_item_name(self.name)


def type_item_name(type_name: str) -> str:
    """The jam.py item name of a step type: ``s_`` + its name in lower case, words
    joined by ``_`` ("RIE PlasmaPro" -> ``s_rie_plasmapro``)."""
    return "s_" + "_".join(re.findall(r"[a-z0-9]+", type_name.lower()))


def column_name(cams_name: str) -> str:
    """The jam.py field of a CAMS field: the CAMS name itself (typos included)."""
    return cams_name


def _field(raw: dict) -> CamsField:
    if raw.get("kind") not in KINDS:
        raise ValueError(f"field {raw.get('name')!r}: kind {raw.get('kind')!r} is not one "
                         f"of {KINDS}")
    return CamsField(raw["name"], raw["kind"], raw.get("unit"), tuple(raw.get("choices", ())))


def load_catalogue(path: Path | None = None) -> tuple[CamsStepType, ...]:
    """The step types of the catalogue at `path` (default: the shipped one)."""
    if path is None:
        return _shipped()
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    types = tuple(CamsStepType(t["name"], tuple(_field(f) for f in t["fields"]))
                  for t in document["step_types"])
    # jam.py names a detail's index after the first 15 characters of its item name
    items = [t.item_name[:ITEM_NAME_UNIQUE] for t in types]
    if len(set(items)) != len(items):
        raise ValueError("two step types give item names that start alike")
    return types


@lru_cache(maxsize=1)
def _shipped() -> tuple[CamsStepType, ...]:
    return load_catalogue(CATALOGUE_PATH)


def by_name(path: Path | None = None) -> dict[str, CamsStepType]:
    """Step type name -> step type."""
    return {t.name: t for t in load_catalogue(path)}
