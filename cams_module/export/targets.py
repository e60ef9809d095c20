"""The schemas an export is judged by: the target NOMAD's own, else the shipped snapshot."""

from __future__ import annotations

from typing import Any

from cams_module.cams2nomad.profile import DEFAULT_PROFILE, load_profile, profile_classes
from cams_module.schema.source import SchemaChoice, schemas_from_nomad


def schemas_for_profile(client: Any, profile_name: str | None = None) -> SchemaChoice:
    """The classes profile ``profile_name`` writes, as ``client``'s NOMAD defines them
    (NOMAD 2.x), or the profile's shipped snapshot with the reason why."""
    profile = load_profile(profile_name or DEFAULT_PROFILE)
    return schemas_from_nomad(client, profile.schema_set, profile_classes(profile))
