"""Where each CAMS value of a step went: archive names of a step's NOMAD entries, the
references between them, and the lineage rows of the export report (``fields``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cams_module.cams2nomad.engine import MappedStep, is_blank
from cams_module.cams2nomad.paths import set_value
from cams_module.cams2nomad.plan import part_plan
from cams_module.cams2nomad.profile import Part
from cams_module.export.names import slug, step_file

CALCULATIONS_HEADER = "Rate calculations in this upload (NOMAD computes each rate):"


def step_reference(mainfile: str) -> str:
    """How an entry references a step entry of the same upload."""
    return f"../upload/archive/mainfile/{mainfile}#data"


def name_parts(step: dict, mapped: MappedStep, width: int) -> dict[int, str]:
    """Index of each written entry in the step type's list -> its archive file name.

    The main entry keeps the step's own file name (``03_trench-etch.archive.json``); the
    others get the position, their index and their part (``05-2_lithography-m1-soft-bake``).
    A step that becomes several entries gets a NOMAD name saying which CAMS step it came from.
    """
    fallback = _type_slug(step.get("type"))
    several = len(mapped.parts) > 1 and sum(p.kind == "step" for p, _ in mapped.parts) > 1
    names: dict[int, str] = {}
    for (part, section), index in zip(mapped.parts, _positions(mapped), strict=True):
        if index == 0:
            name = step_file(step["position"], step.get("name"), width, fallback)
        else:
            label = f"{step.get('name') or step.get('type')} {part.label or ''}"
            name = step_file(step["position"], label, width, fallback).replace(
                "_", f"-{index + 1}_", 1)
        names[index] = name
        if part.label and (several or part.kind != "step"):
            section.data["name"] = part_title(step, part)
    return names


@lru_cache(maxsize=256)
def _type_slug(step_type: Any) -> str:
    """The file-name fallback of a step type (the same few types recur in every process)."""
    return slug(step_type, "step")


def part_title(step: dict, part: Part) -> str:
    """``Lithography M1: soft bake (CAMS step 5, Track)``."""
    return (f"{step.get('name') or step.get('type')}: {part.label} "
            f"(CAMS step {step.get('position')}, {step.get('type')})")


def _positions(mapped: MappedStep) -> list[int]:
    """Each written part's index in the step type's list."""
    if len(mapped.positions) == len(mapped.parts):
        return mapped.positions
    return [next(i for i, p in enumerate(mapped.all_parts) if p is part)
            for part, _ in mapped.parts]


def resolve_references(part: Part, data: dict, names: dict[int, str]) -> None:
    """Fill the entry's ``refers_to`` references with the referred entry's archive."""
    for entry in part_plan(part).references:
        if entry.refers_to in names:
            set_value(data, entry.path, step_reference(names[entry.refers_to]))


def field_rows(step: dict, mapped: MappedStep, names: dict[int, str]) -> list[dict]:
    """One lineage row per CAMS field of ``step`` that has a value."""
    fields = step.get("fields") or {}
    landed: dict[str, tuple[str, str, Any]] = {}  # field -> (archive, path, unit)
    for (_, section), index in zip(mapped.parts, _positions(mapped), strict=True):
        name = names[index]
        for target, entry in section.entries.items():
            key = entry.field
            if key and key not in landed:
                landed[key] = (name, f"data.{target}", entry.quantity.unit)
    main = names[0]
    for key, entry in mapped.switches.items():
        if key not in landed:
            landed[key] = (main, f"data.{entry.target}", entry.quantity.unit)
    position, step_type = step.get("position"), step.get("type")
    in_notes = (main, "data.notes", None)
    rows = []
    for key, value in fields.items():
        if value.__class__ is str:
            if not value.strip():
                continue
        elif value is None or is_blank(value):
            continue
        found = landed.get(key)
        archive, path, unit = in_notes if found is None else found
        rows.append({"step_position": position, "step_type": step_type,
                     "field": key, "value": value,
                     "where": "notes" if found is None else "quantity", "archive": archive,
                     "path": path, "unit": unit})
    return rows
