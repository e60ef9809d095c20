"""The parts of a loaded mapping profile: entries, the NOMAD entries of a step type, types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cams_module.cams2nomad.converters import choose, convert
from cams_module.cams2nomad.paths import Segment


@dataclass(frozen=True)
class Entry:
    """One profile line: where a value comes from, how it is converted, where it goes."""

    target: str
    path: tuple[Segment, ...]
    quantity: Any  # the schema Quantity the path resolves to
    source: str | None = None  # a process/step document key
    field: str | None = None  # a CAMS field of the step's "fields"
    constant: Any = None
    has_constant: bool = False
    convert: str = "text"
    unit: str | None = None
    format: str | None = None
    required: bool = False
    uncertain: bool = False
    note: str | None = None
    values: tuple[tuple[str, Any], ...] | None = None  # the "choice" converter's table
    refers_to: int | None = None  # a reference to another entry of the same CAMS step

    def run(self, value: Any) -> Any:
        """Convert ``value`` for this entry's target (raises ConversionError)."""
        if self.values is not None:
            return choose(value, self.values)
        return convert(self.convert, value, self.quantity, unit=self.unit, fmt=self.format)


@dataclass(frozen=True)
class Part:
    """One NOMAD entry a CAMS step becomes: a step (listed by the process) or a calculation.

    ``when`` names a CAMS Yes/No field: the entry is written only when it says Yes.
    """

    label: str | None
    m_def: str
    entries: tuple[Entry, ...]
    kind: str = "step"
    when: str | None = None
    note: str | None = None

    @property
    def fields(self) -> set[str]:
        """CAMS fields this entry takes (its switch included)."""
        return {e.field for e in self.entries if e.field} | ({self.when} if self.when else set())


@dataclass(frozen=True)
class StepType:
    """A CAMS step type: the NOMAD class it becomes and its field entries."""

    name: str
    m_def: str  # the class of the first (main) entry
    entries: tuple[Entry, ...]  # every part's entries: the "step" ones, then the type's own
    note: str | None = None
    parts: tuple[Part, ...] = ()  # the NOMAD entries, in process order (one for most types)
    kept_in_notes: tuple[tuple[str, str], ...] = ()  # (CAMS field, why no quantity holds it)
    #: the text quantity of the first entry that names each sub-step whose switch is not Yes,
    #: with the CAMS answer ("post-exposure bake: No"); None: such switches stay in notes
    not_done_in: Entry | None = None

    @property
    def fields(self) -> set[str]:
        """CAMS fields this type takes."""
        return {f for p in self.parts for f in p.fields} or {
            e.field for e in self.entries if e.field}

    @cached_property
    def sources(self) -> frozenset[str]:
        """The step-document keys the entries read (name, date, ...)."""
        return frozenset(e.source for e in self.entries if e.source is not None)

    @property
    def own_entries(self) -> tuple[Entry, ...]:
        """The entries that read CAMS fields or write constants (not the common step ones)."""
        return tuple(e for e in self.entries if e.source is None)
