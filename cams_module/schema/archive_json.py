"""The one way an archive file is written: JSON with sorted keys, 2-space indent, UTF-8
and a final newline — readable, stable, and the same from the exporter and the editor
(a first save of an exported archive changes only what was edited). orjson writes it
about as fast as a compact dump with Python's C encoder (see ``./run bench``)."""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def archive_bytes(archive: Any) -> bytes:
    """An archive as the bytes of its file. What orjson cannot hold (a whole number beyond
    64 bits, kept as found in a hand-made file) is written by the standard library in the
    same layout; ValueError, naming the problem, for what JSON cannot hold at all."""
    try:
        return orjson.dumps(archive, option=_OPTIONS) + b"\n"
    except orjson.JSONEncodeError:
        pass
    try:
        return (json.dumps(archive, indent=2, sort_keys=True, ensure_ascii=False)
                + "\n").encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the archive cannot be written as JSON: {exc}") from None


def archive_text(archive: Any) -> str:
    """``archive_bytes`` as text."""
    return archive_bytes(archive).decode("utf-8")
