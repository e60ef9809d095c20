"""Help under a field, in the facility's words: which CAMS field fills this quantity.

Built from our mapping profiles (facts we own), not from the plugin's prose: for the
quantity at ``data.depth_target`` of an RIE archive it says
"Filled from CAMS: RIE PlasmaPro › depth_IN (um)".
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from cams_module.cams2nomad.profile import Entry, list_profiles, load_profile

_INDEX = re.compile(r"\[\d+\]")


def _key(target: str) -> str:
    """A target path without list indices: ``etching_steps.chamber_pressure``."""
    return _INDEX.sub("", target)


@lru_cache(maxsize=8)
def _sources(schema_set: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(class m_def, target without indices) -> "CAMS type › field (unit)" texts."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name in list_profiles():
        profile = load_profile(name)
        if profile.schema_set != schema_set:
            continue
        for entry in profile.process_entries:
            _add(found, profile.process_m_def, "process", entry)
        for step_type in profile.step_types.values():
            for entry in step_type.entries:
                _add(found, step_type.m_def, step_type.name, entry)
            if step_type.not_done_in is not None:  # the answers of switches that are not Yes
                switches = ", ".join(p.when for p in step_type.parts if p.when)
                found[(step_type.m_def, _key(step_type.not_done_in.target))].append(
                    f"{step_type.name} › {switches} when not Yes")
    return {key: tuple(dict.fromkeys(texts)) for key, texts in found.items()}


def _add(found: dict, m_def: str, where: str, entry: Entry) -> None:
    if entry.field:
        unit = f" ({entry.unit})" if entry.unit else ""
        text = f"{where} › {entry.field}{unit}"
    elif entry.source:
        text = f"the {'process' if where == 'process' else 'step'}'s {entry.source}"
    else:
        return
    found[(m_def, _key(entry.target))].append(text)


def field_help(schema_set: str | None, data_m_def: str | None, path: str) -> str | None:
    """One line saying which CAMS fields fill the quantity at ``path`` (a key path from
    the archive's top, e.g. ``data.duration``), or None when no CAMS field does."""
    if not schema_set or not data_m_def or not path.startswith("data."):
        return None
    texts = _sources(schema_set).get((data_m_def, _key(path[len("data."):])))
    if not texts:
        return None
    shown = ", ".join(texts[:3]) + (f" and {len(texts) - 3} more" if len(texts) > 3 else "")
    return f"Filled from CAMS: {shown}"
