"""Which schema set an archive belongs to, and the classes a new archive can start from."""

from __future__ import annotations

from typing import Any

SET_2_0 = "fabrication-utilities-2.0"
SET_2025_04 = "fabrication-utilities-2025.04"
_PREFIXES = (("fabrication_facilities.", SET_2025_04), ("schema_packages.", SET_2_0))


class ProfileError(ValueError):
    """The schema set cannot be chosen for an archive."""


def set_name_for(archive: Any, override: str | None = None) -> str:
    """The schema set of an archive: ``override`` if given, else from ``data.m_def``'s prefix
    (``schema_packages.`` -> 2.0, ``fabrication_facilities.`` -> 2025.04)."""
    if override:
        return override
    m_def = ""
    if isinstance(archive, dict) and isinstance(archive.get("data"), dict):
        m_def = str(archive["data"].get("m_def") or "")
    for prefix, name in _PREFIXES:
        if m_def.startswith(prefix):
            return name
    if not m_def:
        raise ProfileError("the archive has no data.m_def; choose the schema with --profile")
    raise ProfileError(
        f"data.m_def {m_def!r} belongs to no known plugin version; choose one with --profile"
    )


def creatable_classes(schema_sets: list[Any]) -> list[tuple[str, str]]:
    """(set name, m_def) pairs a new archive can start from: for each set, the process and
    step classes first, then every other entry class, each group sorted by class name."""
    out: list[tuple[str, str]] = []
    for schemas in schema_sets:
        entries = schemas.entry_classes()
        steps = set(schemas.step_classes())
        processes = {m for m in entries if m.rsplit(".", 1)[-1].endswith("Process")}

        def rank(m_def: str, steps=steps, processes=processes) -> tuple[int, str]:
            group = 0 if m_def in processes else 1 if m_def in steps else 2
            return group, m_def.rsplit(".", 1)[-1].lower()

        for m_def in sorted(entries, key=rank):
            cls = schemas.get(m_def)
            if cls is not None and getattr(cls, "unreachable", False):
                continue
            out.append((schemas.name, m_def))
    return out
