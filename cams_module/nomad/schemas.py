"""Where an export's schemas come from: the target NOMAD when it answers, else the snapshot.

NOMAD 2.x serves each class as JSON Schema (``GET /schemas/<m_def>?format=jsonschema``).
Before an export is sent, the classes the mapping profile writes (the caller names them)
are read from the NOMAD that will receive it, so the pre-flight validation judges by
that NOMAD's own plugin version. When NOMAD cannot be asked (unreachable, or a NOMAD
older than 2.0 without that endpoint), the shipped schema snapshot is used and the
reason is kept.
A NOMAD that answers but lacks a class the profile needs is not papered over: the profile
check then names the missing class (the upload would fail there).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cams_module.nomad.errors import NomadError, NotFoundError
from cams_module.schema import SchemaSet, load_schema_set

CACHE_SECONDS = 3600.0
_cache: dict[tuple, tuple[float, SchemaSet]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class SchemaChoice:
    """The schema set an export is judged by, and where it came from."""

    schemas: SchemaSet
    source: str  # "NOMAD at <url>" or "shipped snapshot <name> (<reason>)"
    from_nomad: bool


def schemas_from_nomad(client: Any, schema_set: str, classes: Iterable[str]) -> SchemaChoice:
    """The schemas of ``classes`` read from ``client``'s NOMAD when it answers, else the
    shipped snapshot ``schema_set``.

    Answers are cached per NOMAD address and class list for an hour.
    """
    wanted = sorted(set(classes))
    url = client.config.api_url
    key = (url, schema_set, tuple(wanted))
    with _lock:
        hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return SchemaChoice(hit[1], f"NOMAD at {url}", True)
    snapshot = load_schema_set(schema_set)
    docs: dict[str, dict] = {}
    try:
        for m_def in wanted:
            try:
                docs[m_def] = client.get_schema(m_def)
            except NotFoundError:
                continue  # NOMAD lacks this class: the profile check will name it
    except NomadError as err:  # unreachable, timed out, refused: judge by the snapshot
        return SchemaChoice(snapshot, f"shipped snapshot {snapshot.name} ({err})", False)
    if not docs and not _serves_schemas(client):
        reason = f"NOMAD {_version(client) or ''} serves no JSON Schemas (needs NOMAD 2.x)"
        return SchemaChoice(snapshot, f"shipped snapshot {snapshot.name} ({reason})", False)
    schemas = SchemaSet.from_jsonschema(f"NOMAD at {url}", docs)
    schemas.unit_symbols = {**snapshot.unit_symbols, **schemas.unit_symbols}  # for messages
    with _lock:
        _cache[key] = (time.monotonic(), schemas)
    return SchemaChoice(schemas, f"NOMAD at {url}", True)


def _version(client: Any) -> str | None:
    try:
        info = client.http.call("GET", "/info", action="read NOMAD's version", auth=None)
    except NomadError:
        return None
    version = info.get("version") if isinstance(info, dict) else None
    return version if isinstance(version, str) else None


def _serves_schemas(client: Any) -> bool:
    """True for NOMAD 2.x, which has ``/schemas``: a 404 there means the class is missing."""
    major = (_version(client) or "0").split(".", 1)[0]
    return major.isdigit() and int(major) >= 2


def forget_cached_schemas() -> None:
    """Drop every cached answer (e.g. after the target NOMAD's plugin was upgraded)."""
    with _lock:
        _cache.clear()
