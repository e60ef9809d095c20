"""Safe, deterministic file names for archives: ASCII, no separators, bounded length."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 60
# Letters NFKD does not decompose into ASCII.
_SPECIAL = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ð": "d", "µ": "u", "μ": "u",
    "°": "deg", "ı": "i", "\u2044": "-",
})
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slug(text: object, fallback: str = "step", max_len: int = MAX_SLUG) -> str:
    """``"Trench étch / 2"`` -> ``"trench-etch-2"``: lower-case ASCII letters, digits, dashes.

    Unicode is normalised and transliterated; slashes, dots, NUL, spaces and every other
    character become single dashes; long names are cut at ``max_len``. Never empty.
    """
    s = str(text or "")
    if not s.isascii():  # ASCII text needs no transliteration
        s = unicodedata.normalize("NFKD", s.translate(_SPECIAL)).translate(_SPECIAL)
        s = s.encode("ascii", "ignore").decode("ascii")
    s = s.lower()
    s = _NOT_SAFE.sub("-", s).strip("-")
    s = s[:max_len].rstrip("-")
    return s or fallback


def step_file(position: int, name: object, width: int = 2, fallback: str = "step") -> str:
    """``03_trench-etch.archive.json`` from a step's position and name."""
    return f"{position:0{width}d}_{slug(name, fallback)}.archive.json"


def process_file(process_id: object, name: object) -> str:
    """``process_17_picotcdv3.archive.json`` from a process's id and name."""
    return f"process_{slug(process_id, 'x', 20)}_{slug(name, 'process')}.archive.json"
