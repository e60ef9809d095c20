"""A built wheel (not the editable install) holds every file of the package the product
reads at run time, and building it raises no packaging warning."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "cams_module"

# Reads every data file the product ships, from wherever cams_module is imported.
READ_ALL = """
import sys
import cams_module
from cams_module.cams2nomad.field_catalogue import load_catalogue
from cams_module.cams2nomad.profile import list_profiles, load_profile
from cams_module.schema.snapshot import load_schema_set, schema_set_names
assert cams_module.__file__.startswith(sys.argv[1]), cams_module.__file__
print(len(load_catalogue()), [load_profile(n).name for n in list_profiles()],
      [load_schema_set(n) is not None for n in schema_set_names()])
"""


def tracked_files() -> list[str]:
    """The package's files as git tracks them (what a fresh clone holds)."""
    out = subprocess.run(["git", "ls-files", "-z", "--", PACKAGE, "setup.py", "pyproject.toml",
                          "README.md"], cwd=REPO, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name]


def test_the_wheel_holds_every_package_file_and_builds_without_warnings(tmp_path):
    source = tmp_path / "src"
    files = tracked_files()
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    # the test venv's own setuptools and wheel build it: no package index, nothing fetched
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-index",
         "--no-build-isolation", "-w", str(tmp_path / "dist"), "-v"],
        capture_output=True, text=True, timeout=240)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-3000:]
    assert "absent from the `packages` configuration" not in log, log[-3000:]
    assert "Warning:" not in log, [line for line in log.splitlines() if "Warning:" in line]

    [wheel] = (tmp_path / "dist").glob("cams_nomad-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    wanted = {name for name in files if name.startswith(PACKAGE + "/")}
    data = {name for name in wanted if not name.endswith(".py")}
    assert data, "the package has data files (profiles, catalogue, schema snapshots)"
    assert wanted - shipped == set(), "files the wheel leaves out"

    unpacked = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    run = subprocess.run([sys.executable, "-c", READ_ALL, str(unpacked)], cwd=tmp_path,
                         env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
