"""The web client modules in task/client/ as jam.py's builder will take them."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest


def _vendored(name: str):
    """One of jam.py's vendored packages, without leaving jam's folder on sys.path."""
    folder = str(Path(importlib.util.find_spec("jam").origin).parent / "third_party")
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(folder)


esprima = _vendored("esprima")
jsmin = _vendored("jsmin").jsmin
CLIENT = Path(__file__).resolve().parents[2] / "task" / "client"
MODULES = sorted(CLIENT.glob("*.js"))
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web-ui.md"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_parses_as_the_builder_parses_it(path):
    esprima.parseScript(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_still_parses_when_jam_minifies_it(path):
    """With "Compressed JS" on, jam.py serves the module through its vendored jsmin."""
    esprima.parseScript(jsmin(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_string_holds_four_spaces(path):
    """jam.py replaces every run of four spaces in a client module by a tab."""
    tokens = esprima.tokenize(path.read_text(encoding="utf-8"))
    bad = [t.value for t in tokens if t.type in ("String", "Template") and "    " in t.value]
    assert not bad, f"{path.name}: strings with four spaces would be changed: {bad}"


def test_the_plug_in_guide_names_only_functions_that_exist():
    code = (CLIENT / "processes.js").read_text(encoding="utf-8")
    defined = set(re.findall(r"^function (\w+)\(", code, flags=re.M))
    named = set(re.findall(r"\b(nomad_\w+)\(", DOCS.read_text(encoding="utf-8")))
    assert named, "the guide names the hooks"
    assert named <= defined, f"documented but missing: {sorted(named - defined)}"
