"""What an export did besides writing archives: unmapped fields, uncertain targets, warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class UnmappedField:
    """A CAMS value no profile entry takes; it was kept in the step's (or process's) notes."""

    step_position: Any
    step_id: Any
    step_type: str | None
    field: str
    value: Any
    file: str
    reason: str = ""  # why no NOMAD quantity holds it
    not_done: bool = False  # a value of a sub-step the CAMS step says was not done


@dataclass(frozen=True)
class UncertainTarget:
    """A value written to a target the profile marks as to be confirmed by an expert."""

    step_type: str
    target: str
    field: str | None
    note: str | None
    count: int


@dataclass
class ExportReport:
    """Summary of one export (JSON-ready via :meth:`to_dict`)."""

    profile: str
    process_id: Any
    files: int = 0
    unmapped: list[UnmappedField] = field(default_factory=list)
    uncertain: list[UncertainTarget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: lineage: one row per CAMS field with a value (see docs/mapping.md)
    fields: list[dict] = field(default_factory=list)
    #: archives of rate calculations (calculus entries) NOMAD computes from measured values
    calculations: list[str] = field(default_factory=list)

    def share_in_quantities(self, done_only: bool = False) -> float:
        """The share (0..1) of the CAMS values that landed in NOMAD quantities.

        ``done_only``: leave out the values of sub-steps the CAMS step says were not done
        (e.g. the PEB time when ``peb`` is No), which no NOMAD step can truthfully hold.
        """
        skip = {(u.step_position, u.field) for u in self.unmapped if u.not_done}
        rows = [r for r in self.fields
                if not done_only or (r["step_position"], r["field"]) not in skip]
        if not rows:
            return 1.0
        return sum(r["where"] == "quantity" for r in rows) / len(rows)

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        return asdict(self)

    def lineage(self) -> dict:
        """What a scientist checks before publishing: counts, the values kept in notes with
        their reason, the targets to confirm, and every lineage row (JSON-ready)."""
        kept = sum(r["where"] == "notes" for r in self.fields)
        return {
            "in_quantities": len(self.fields) - kept, "in_notes": kept,
            "notes": [{"step_position": u.step_position, "step_type": u.step_type,
                       "field": u.field, "value": u.value, "reason": u.reason}
                      for u in self.unmapped if u.step_position is not None],
            "uncertain": [{"step_type": t.step_type, "field": t.field, "target": t.target,
                           "note": t.note, "count": t.count} for t in self.uncertain],
            "calculations": list(self.calculations),
            "fields": list(self.fields),
        }

    def summary_lines(self) -> list[str]:
        """Short human-readable lines for the command line or a job log."""
        lines = [f"{self.files} archive(s), profile {self.profile}"]
        if self.fields:
            kept = sum(r["where"] == "notes" for r in self.fields)
            lines.append(f"{len(self.fields) - kept} CAMS values in NOMAD quantities, "
                         f"{kept} kept in notes")
        for u in self.unmapped:
            lines.append(
                f"unmapped (kept in notes): step {u.step_position} ({u.step_type}) "
                f"{u.field} = {u.value!r}" + (f": {u.reason}" if u.reason else "")
            )
        for t in self.uncertain:
            lines.append(f"uncertain target (confirm): {t.step_type}: {t.field} -> {t.target}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return lines
