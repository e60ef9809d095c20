"""The database connections of CAMS's own statements: one kept open per thread on SQLite.

jam.py opens a new SQLite connection for every statement (its pool keeps none for
SQLite), and a new SQLite connection reads the whole schema before its first statement —
about 1 ms of CPU with the CAMS tables, twice per Upload FAIR press. CAMS's own
statements (`job_store`, `leases`, `jam_compat.select`) therefore use one connection per
thread on a SQLite database, made by jam.py itself (`task.create_connection`: its UPPER
function and foreign keys) and kept open; on other databases they go through jam.py's
pool, which keeps its connections (PostgreSQL: a QueuePool). A statement run while the
thread's connection is in use (a nested call) gets a fresh connection, as before, so no
unit of work ever commits another's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SQLITE, POSTGRESQL = 1, 3  # jam.py's db_type of SQLite and PostgreSQL (5 and 7)

_local = threading.local()


class DatabaseUnavailable(RuntimeError):
    """No connection to the CAMS database could be had in time."""


def database_path(task: Any) -> str:
    """The SQLite database file of the task (jam.py 5: `db_database`, 7: `db_info`)."""
    path = getattr(task, "db_database", None)
    if path is None:
        path = task.db_info.database
    return str(path)


def is_sqlite(task: Any) -> bool:
    """True when the task's database is SQLite."""
    return task.db_type == SQLITE


def _pooled(task: Any, wait: float) -> Any:
    """A connection from jam.py's pool. At server start jam.py drops its first pool right
    after `on_created` and makes the next one on the first request; with `wait` a caller
    that may run in that instant (a job resumed at start) waits for it, at most `wait` s."""
    end = time.monotonic() + wait
    while True:
        try:
            return task.connect()
        except AttributeError:  # no pool at this instant (see above)
            if time.monotonic() >= end:
                raise DatabaseUnavailable("The CAMS database could not be reached; "
                                          "press the button again.") from None
            time.sleep(0.05)


@contextmanager
def connection(task: Any, wait: float = 0.0) -> Iterator[Any]:
    """A connection for one unit of work of CAMS (the caller commits; what it left
    uncommitted is rolled back). `wait`: see `_pooled`."""
    key = (os.getpid(), database_path(task)) if is_sqlite(task) else None
    busy: set = _local.__dict__.setdefault("busy", set())
    if key is None or key in busy:  # not SQLite, or nested: a connection of its own
        con = task.create_connection() if key else _pooled(task, wait)
        try:
            yield con
        finally:
            con.close()
        return
    kept: dict = _local.__dict__.setdefault("kept", {})
    con = kept.get(key)
    if con is None:
        con = kept[key] = task.create_connection()
    busy.add(key)
    try:
        yield con
    finally:
        busy.discard(key)
        if con.in_transaction:  # nothing is left open between units of work
            con.rollback()


def forget(task: Any) -> None:
    """Close this thread's kept connection to the task's database (if any)."""
    con = _local.__dict__.get("kept", {}).pop((os.getpid(), database_path(task)), None)
    if con is not None:
        con.close()
