"""The house plan holds: every module is in docs/ARCHITECTURE.md, arrows run one way,
modules stay small and the top of the package holds only the seed's faces."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import architecture  # noqa: E402 - the generator lives in tools/

DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
MODULES = architecture.modules()
ARROWS = architecture.arrows(MODULES)

#: part -> parts it must never import (DESIGN: "knows nothing of")
FORBIDDEN = {
    "nomad": {"lims", "cams2nomad", "export", "editor", "cli", "demo", "standin", "faces"},
    "cams2nomad": {"nomad", "lims", "export", "editor", "cli", "demo", "standin", "faces"},
    "schema": {"nomad", "cams2nomad", "lims", "export", "editor", "cli", "demo", "standin",
               "faces"},
    "export": {"nomad", "lims", "editor", "cli", "demo", "standin", "faces"},
    "editor": {"nomad", "lims", "export", "cli", "demo", "standin", "faces"},
    "lims": {"cli", "demo", "standin", "editor", "faces"},
    # `cams-nomad worker` runs the jobs of lims/; no other command needs the jam.py side
    "cli": {"demo", "standin", "faces"},
    "status": set(ARROWS),
}


def test_the_generated_module_map_is_current():
    assert architecture.current_section(DOC) == architecture.render(MODULES), \
        "docs/ARCHITECTURE.md is out of date: run python tools/architecture.py"


@pytest.mark.parametrize("module", [m.name for m in MODULES])
def test_every_module_is_named_in_the_architecture_doc(module):
    assert f"`{module}`" in DOC


@pytest.mark.parametrize("module", [m for m in MODULES if not m.name.endswith("__main__")],
                         ids=lambda m: m.name)
def test_every_module_says_what_it_holds(module):
    assert module.summary, f"{module.name} has no docstring"


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_arrows_run_one_way(part):
    wrong = ARROWS.get(part, set()) & FORBIDDEN[part]
    assert not wrong, f"{part} imports {sorted(wrong)}"


def test_the_standin_is_never_imported_by_the_product():
    users = [m.name for m in MODULES
             if m.part != "standin" and any(".standin" in i for i in m.imports)]
    assert users == []


def test_no_jam_import_outside_lims_demo_and_task():
    for path in (ROOT / "cams_module").rglob("*.py"):
        part = architecture.part_of(architecture._dotted(path))
        if part in {"lims", "demo"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import jam|from jam)", text, re.M), path


def test_at_most_ten_modules_at_the_top():
    top = [p.name for p in (ROOT / "cams_module").glob("*.py")]
    assert len(top) <= 10, top


def python_files(*folders: str) -> list[Path]:
    """Every Python file under `folders` of the repository."""
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def imports_inside_functions(text: str) -> list[int]:
    """The lines of the imports made inside a function."""
    return [node.lineno for func in ast.walk(ast.parse(text))
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(func) if isinstance(node, ast.Import | ast.ImportFrom)]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


#: the task builder and the developer tools import at the top, as the package does; the
#: tests and benchmarks may import inside a fixture or a function (an optional package,
#: a child process's own setup), but stay small too
SCRIPTS = python_files("task", "tools")
OUTSIDE_THE_PACKAGE = [*SCRIPTS, *python_files("benchmarks", "tests"), ROOT / "setup.py",
                       ROOT / "conftest.py"]


@pytest.mark.parametrize("path", python_files("cams_module") + SCRIPTS, ids=relative)
def test_modules_stay_small_and_import_at_the_top(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400, f"{path} has more than 400 lines"
    late = imports_inside_functions(text)
    allowed = LAZY.get(relative(path), 0)
    assert len(late) <= allowed, f"{path}: imports inside functions at lines {late}"


@pytest.mark.parametrize("path", OUTSIDE_THE_PACKAGE, ids=relative)
def test_tests_benchmarks_and_tools_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path} has {lines} lines (at most 400: split it along its ideas)"


#: the only imports left inside functions, each for a reason
LAZY = {
    # the window needs Tk; `official get/set/validate` must run where Tk is missing
    "cams_module/official.py": 1,
    # `import jam.wsgi` puts jam.py's vendored Werkzeug on sys.path first: only once the
    # process knows it serves (or works for) a jam.py task
    "cams_module/lims/jam_server.py": 3,
    "cams_module/lims/web.py": 1,
    "cams_module/lims/worker.py": 1,
    # model <-> JSON Schema conversion modules import each other
    "cams_module/schema/model.py": 2,
    # nomad-lab reads its configuration (env NOMAD_CONFIG) when imported: serve.py writes
    # it first, then imports NOMAD (and its worker, uvicorn and standins.py, which patches
    # NOMAD's modules); both run only in nomad-lab's own venv
    "tools/realnomad/serve.py": 9,
    "tools/realnomad/standins.py": 8,
}
