"""The demo's CAMS task folder: build it when needed, read its demo users and NOMAD leftovers.

The task is built by `task/build.py` (in its own process: jam.py keeps global state and
changes the working directory). The build records the demo users in `demo-users.json`.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import jam  # only its version: jam.wsgi (which changes sys.path) is never imported here

from cams_module.demo.services import child_env

REPO = Path(__file__).resolve().parents[2]
TASK_SOURCES = REPO / "task"
JAM_MAJOR = jam.__version__[0]  # the jam.py this interpreter runs (5 or 7)
# one build per jam.py version: their admin databases differ
DEFAULT_TASK_DIR = REPO / "var" / ("cams-task" if JAM_MAJOR == 5 else f"cams-task-jam{JAM_MAJOR}")
USERS_FILE = "demo-users.json"


def newest_source_mtime(sources: Path = TASK_SOURCES) -> float:
    """The latest modification time of the task's text sources (items, modules, demo)."""
    return max(
        (p.stat().st_mtime for p in sources.rglob("*")
         if p.is_file() and "__pycache__" not in p.parts),
        default=0.0,
    )


def build_needed(task_dir: Path) -> str | None:
    """Why the task must be (re)built, or None when the build in `task_dir` is current."""
    users = task_dir / USERS_FILE
    if not (task_dir / "admin.sqlite").is_file() or not users.is_file():
        return f"no CAMS task in {task_dir} yet"
    if users.stat().st_mtime < newest_source_mtime():
        return f"task/ changed since {task_dir} was built"
    built_with = str(json.loads(users.read_text(encoding="utf-8")).get("jam", "5"))
    if built_with.split(".")[0] != str(JAM_MAJOR):
        return f"{task_dir} was built for jam.py {built_with}, this is jam.py {jam.version()}"
    return None


def build_task(task_dir: Path) -> None:
    """Run task/build.py into `task_dir` (replacing what is there)."""
    command = [sys.executable, str(TASK_SOURCES / "build.py"), "--out", str(task_dir),
               "--force"]
    result = subprocess.run(command, cwd=REPO, env=child_env({}), capture_output=True,
                            text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-30:]
        raise SystemExit("Building the CAMS task failed:\n" + "\n".join(output))


def demo_users(task_dir: Path) -> dict[str, dict]:
    """The demo logins with their passwords and roles, as written by task/build.py."""
    info = json.loads((task_dir / USERS_FILE).read_text(encoding="utf-8"))
    return info.get("users", {})


def recorded_uploads(task_dir: Path) -> int:
    """How many processes in the task's sqlite database hold a NOMAD upload id.

    The local stand-in starts empty on every run, so such ids would point nowhere.
    Returns 0 when the task does not use sqlite or cannot be read.
    """
    try:
        with sqlite3.connect(f"file:{task_dir / 'admin.sqlite'}?mode=ro", uri=True) as admin:
            alias, db_type = admin.execute("SELECT F_ALIAS, F_DB_TYPE FROM SYS_TASKS").fetchone()
            table, item_id = admin.execute(
                "SELECT F_TABLE_NAME, ID FROM SYS_ITEMS WHERE F_ITEM_NAME = 'processes' "
                "AND DELETED = 0").fetchone()
            (column,) = admin.execute(
                "SELECT F_DB_FIELD_NAME FROM SYS_FIELDS WHERE OWNER_REC_ID = ? AND "
                "F_FIELD_NAME = 'nomad_upload_id' AND DELETED = 0", (item_id,)).fetchone()
        if db_type != 1:
            return 0
        with sqlite3.connect(f"file:{task_dir / alias}?mode=ro", uri=True) as data:
            (count,) = data.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" IS NOT NULL '
                f"AND \"{column}\" <> '' AND DELETED = 0").fetchone()
        return int(count)
    except (sqlite3.Error, TypeError, ValueError):
        return 0
