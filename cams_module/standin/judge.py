"""Judges one mainfile the way NOMAD processing would, with the project's one validator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cams_module.schema import load_schema_set, validate_archive

DEFAULT_SCHEMA_SETS = ("fabrication-utilities-2.0",)


@dataclass
class Verdict:
    """The outcome for one entry: errors fail it, warnings are informative."""

    m_def: str | None = None
    entry_name: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Judge:
    """Validates archives against one or more schema sets.

    With several sets, an entry is judged by the first set that defines its ``m_def``
    (or by the first set, which then reports the class as unknown).
    """

    def __init__(self, schema_sets: tuple[str, ...] = DEFAULT_SCHEMA_SETS) -> None:

        self.names = tuple(schema_sets)
        self.sets = [load_schema_set(name) for name in self.names]

    def schema_set_for(self, m_def: str | None) -> Any:
        """The first schema set that defines ``m_def``, else the first set."""
        for schemas in self.sets:
            if m_def and schemas.get(m_def) is not None:
                return schemas
        return self.sets[0]

    def jsonschema(self, m_def: str) -> dict[str, Any] | None:
        """NOMAD 2.x ``GET /schemas/<m_def>?format=jsonschema`` for a known class."""
        for schemas in self.sets:
            cls = schemas.get(m_def)
            if cls is not None:
                # NOMAD cannot load these classes, so it answers 404 for them.
                return None if cls.unreachable else schemas.to_jsonschema(m_def)
        return None

    def judge(self, text: bytes, mainfile: str, upload_mainfiles: set[str]) -> Verdict:
        """Parse and validate one ``*.archive.json`` file of an upload."""

        verdict = Verdict()
        try:
            archive = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            verdict.errors.append(f"{mainfile}: not valid JSON ({exc}); fix the file's syntax")
            return verdict
        data = archive.get("data") if isinstance(archive, dict) else None
        if isinstance(data, dict):
            verdict.m_def = data.get("m_def") if isinstance(data.get("m_def"), str) else None
            name = data.get("name")
            verdict.entry_name = name if isinstance(name, str) else None
        schemas = self.schema_set_for(verdict.m_def)
        problems = validate_archive(
            archive, schemas, mainfile=mainfile, upload_mainfiles=upload_mainfiles
        )
        for problem in problems:
            text_ = _describe(problem)
            if problem.code == "unknown_key":
                verdict.warnings.append(text_)
            else:
                verdict.errors.append(text_)
        return verdict


def _describe(problem: Any) -> str:
    message = str(problem.message)
    path = str(problem.path or "")
    if not path or path in message:
        return message
    return f"{path}: {message}"
