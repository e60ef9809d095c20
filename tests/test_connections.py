"""CAMS's own database connections (lims.connections), on the real built task: kept open
and reused on SQLite, never handed on with work left uncommitted, one per concurrent use;
and the SQLite CAMS database in WAL after the start-up warm-up."""

from __future__ import annotations

import sqlite3

from tests.fixtures.cams_task import pg_options, run_in_task

REUSE = """
import threading
from cams_module.lims import connections, job_store as store
from cams_module.lims.jam_compat import select
sqlite = connections.is_sqlite(task)
with connections.connection(task) as first:
    with connections.connection(task) as nested:  # in use: another connection
        distinct = nested is not first
with connections.connection(task) as again:
    reused = again is first
table = store.processes_item(task).table_name
before = select(task, f'SELECT COUNT(*) FROM "{table}"')[0][0]
with connections.connection(task) as con:  # a unit of work that never commits
    con.cursor().execute(f'DELETE FROM "{table}"')
after = select(task, f'SELECT COUNT(*) FROM "{table}"')[0][0]
seen = []
def use():
    with connections.connection(task) as con:
        seen.append(con.execute("SELECT 1").fetchone()[0])
threads = [threading.Thread(target=use) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
result = {"sqlite": sqlite, "distinct": distinct, "reused": reused, "before": before,
          "after": after, "threads": seen}
"""

WARM = """
import time
from cams_module.lims import connections
time.sleep(2)  # the warm-up of on_created runs in the background
result = {"sqlite": connections.is_sqlite(task),
          "database": connections.database_path(task) if connections.is_sqlite(task) else ""}
"""


def test_connections_are_kept_and_never_carry_uncommitted_work(cams_task_copy):
    result = run_in_task(cams_task_copy.path, REUSE)
    assert result["distinct"] is True
    assert result["before"] > 0 and result["after"] == result["before"], result
    assert result["threads"] == [1] * 6
    if result["sqlite"]:
        assert result["reused"] is True  # PostgreSQL: jam.py's pool decides


def test_the_warm_up_puts_a_sqlite_cams_database_in_wal(cams_task_copy):
    """A CAMS database in SQLite's default journal mode (as a facility's is before its
    first start with this version) is switched to WAL as the task loads (jam.py's
    on_created → queue.warm_up), before any press."""
    database = cams_task_copy.path / "cams.sqlite"
    if pg_options():
        assert run_in_task(cams_task_copy.path, WARM)["sqlite"] is False
        return
    con = sqlite3.connect(database)
    assert con.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    con.close()
    result = run_in_task(cams_task_copy.path, WARM)
    assert result["sqlite"] is True and result["database"] == str(database)
    with sqlite3.connect(database) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
