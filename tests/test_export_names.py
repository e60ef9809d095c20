"""Safe file names: any text becomes a short, ASCII, separator-free, deterministic slug."""

import re

from hypothesis import given
from hypothesis import strategies as st

from cams_module.export.names import process_file, slug, step_file

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@given(st.text())
def test_any_text_gives_a_safe_slug(text):
    s = slug(text)
    assert SLUG.fullmatch(s)
    assert len(s) <= 60
    assert slug(text) == s


def test_examples():
    assert slug("Trench etch") == "trench-etch"
    assert slug("Ätzen / Größe µm") == "atzen-grosse-um"
    assert slug("../..\\x\x00y") == "x-y"
    assert slug("", "rie") == "rie"
    assert slug("x" * 100) == "x" * 60
    assert slug("ab-" + "c" * 57 + "---d") == "ab-" + "c" * 57
    assert step_file(3, "Trench etch") == "03_trench-etch.archive.json"
    assert step_file(7, "日本語", 3, "sog") == "007_sog.archive.json"
    assert process_file(17, "PicoTCDv3") == "process_17_picotcdv3.archive.json"
