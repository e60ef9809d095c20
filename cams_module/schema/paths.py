"""Key paths such as ``data.etching_steps[0].chamber_pressure``: the one parser and formatter
(validator, mapping profiles, editor and command line)."""

from __future__ import annotations

import re

Step = str | int
_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


class PathError(ValueError):
    """A key path that is malformed or does not lead anywhere in the archive."""


def parse_path(path: str) -> tuple[Step, ...]:
    """Split ``a.b[2].c`` into ``("a", "b", 2, "c")``; raise PathError if malformed."""
    text = path.strip()
    if not text:
        return ()
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "." and steps and pos + 1 < len(text) and text[pos + 1] != "[":
            pos += 1
        match = _TOKEN.match(text, pos)
        if not match:
            raise PathError(f"cannot read key path {path!r} at character {pos + 1}")
        name, index = match.groups()
        steps.append(name if name is not None else int(index))
        pos = match.end()
    return tuple(steps)


def format_path(steps: tuple[Step, ...] | list[Step]) -> str:
    """Join steps back into the dotted form used by the validator's Problem.path."""
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out
