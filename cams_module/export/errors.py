"""Input problems of an export and the error that carries all of them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    """One thing to fix in a process document, located as precisely as possible."""

    process_id: Any
    step_position: Any
    step_id: Any
    step_type: str | None
    field: str | None
    value: Any
    message: str
    process_name: str | None = None

    def __str__(self) -> str:
        where = f"process {self.process_id!r}"
        if self.process_name:
            where += f" ({self.process_name})"
        if self.step_position is not None or self.step_id is not None:
            where += f", step {self.step_position} (id {self.step_id!r}"
            where += f", type {self.step_type!r})" if self.step_type else ")"
        if self.field is not None:
            where += f", field {self.field!r}"
            where += f" = {_shown(self.value)}"
        return _printable(f"{where}: {self.message}")


def _printable(text: str) -> str:
    """Control characters a CAMS value may carry, shown escaped so a message renders."""
    return "".join(c if unicodedata.category(c) != "Cc" else c.encode("unicode_escape").decode()
                   for c in text)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ExportError(ValueError):
    """Raised by ``export_process``: ``problems`` lists every problem; nothing was written."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) stop the export:\n{lines}")
