"""How the validator phrases a problem: short values, close matches, a class to use.

A value is shown cut short with its kind, a misspelt name gets its close matches, and an
unloadable or wrong class the generic step class to use instead."""

from __future__ import annotations

import difflib

from .model import SchemaSet

_MAX_SHOWN = 60


def show(value: object) -> str:
    """A short, readable rendering of a value for messages."""
    text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    kind = {str: "text", bool: "true/false", int: "whole number", float: "number",
            list: "list", dict: "object", type(None): "null"}.get(type(value))
    return f"{text} ({kind})" if kind else f"{text} ({type(value).__name__})"


def close_matches(name: str, options) -> str:
    """'; did you mean ...?' for a misspelt name among ``options`` ('' when none is close)."""
    matches = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""


def generic_step(schemas: SchemaSet) -> str:
    """The generic step class of a set (for advice in messages)."""
    steps = [m for m in schemas.step_classes() if m.endswith(".FabricationProcessStep")]
    return steps[0] if steps else "the generic FabricationProcessStep"


def close_classes(m_def: str, schemas: SchemaSet) -> str:
    """'; close matches: ...' for an unknown class name (same short name first)."""
    by_short: dict[str, list[str]] = {}
    for name, cls in schemas.classes.items():
        by_short.setdefault(cls.short_name, []).append(name)
    short = m_def.rsplit(".", 1)[-1]
    near = [n for s in difflib.get_close_matches(short, list(by_short), n=3, cutoff=0.75)
            for n in sorted(by_short[s])]
    near += [n for n in difflib.get_close_matches(m_def, list(schemas.classes), n=3, cutoff=0.6)
             if n not in near]
    return f"; close matches: {', '.join(near[:3])}" if near else ""
