"""The default mapping profile ``fabrication-utilities-2.0`` (Fabrication-utilities 2.0.0)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE_NAME = "fabrication-utilities-2.0"
PROFILE_FILE = ROOT / "cams_module" / "cams2nomad" / "profiles" / f"{PROFILE_NAME}.json"
REVIEW_DOC = ROOT / "docs" / "profile-2.0-review.md"
GENERIC = "schema_packages.fabrication_utilities.FabricationProcessStep"


def _review_tool():
    path = ROOT / "tools" / "profile_review.py"
    spec = importlib.util.spec_from_file_location("profile_review", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def raw_profile() -> dict:
    return json.loads(PROFILE_FILE.read_text(encoding="utf-8"))


def test_review_doc_is_generated_from_the_profile():
    tool = _review_tool()
    expected = tool.render(raw_profile())
    assert REVIEW_DOC.read_text(encoding="utf-8") == expected, (
        "docs/profile-2.0-review.md is stale: run .venv/bin/python tools/profile_review.py"
    )


def test_review_doc_lists_exactly_the_uncertain_targets():
    profile = raw_profile()
    marked = {
        (type_name, e["target"])
        for type_name, st in profile["step_types"].items()
        for e in st["quantities"]
        if e.get("uncertain")
    }
    doc = REVIEW_DOC.read_text(encoding="utf-8")
    table = doc.split("## Uncertain targets", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if len(cells) == 4 and cells[2].startswith("`"):
            listed.add((cells[0], cells[2].strip("`")))
    assert listed == marked
    assert len(marked) >= 25
