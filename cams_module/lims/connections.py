"""The database connections of CAMS's own statements: kept open on SQLite.

jam.py opens a new SQLite connection for every statement (its pool keeps none for
SQLite), and a new SQLite connection reads the whole schema before its first statement —
about 1 ms of CPU with the CAMS tables, twice per Upload FAIR press. CAMS's own
statements (`job_store`, `leases`, `jam_compat.select`) therefore take an idle connection
of their process (made like jam.py's: its UPPER function, foreign keys on) and give it
back afterwards; `warm_up` makes a few at start, so the first presses after a restart
do not pay for them either. On other databases they go through jam.py's pool, which
keeps its connections (PostgreSQL: a QueuePool). A connection is used by one thread at a
time, and what a unit of work leaves uncommitted is rolled back before it is given back.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SQLITE, POSTGRESQL = 1, 3  # jam.py's db_type of SQLite and PostgreSQL (5 and 7)

#: idle connections kept per process and database (more are made when needed)
MAX_IDLE = 8
_idle: dict[tuple[int, str], list[sqlite3.Connection]] = {}
_idle_lock = threading.Lock()


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


def _sqlite_upper(value: Any) -> Any:
    """jam.py's UPPER for SQLite (Python's, for non-ASCII letters too)."""
    try:
        return value.upper()
    except AttributeError:
        return value


def _open_sqlite(database: str) -> sqlite3.Connection:
    """A connection as jam.py makes it, usable by any thread (one at a time)."""
    con = sqlite3.connect(database, check_same_thread=False)
    con.create_function("UPPER", 1, _sqlite_upper)
    con.execute("PRAGMA foreign_keys = ON")
    return con


def _take(key: tuple[int, str]) -> sqlite3.Connection:
    with _idle_lock:
        idle = _idle.get(key)
        if idle:
            return idle.pop()
    return _open_sqlite(key[1])


def _give_back(key: tuple[int, str], con: sqlite3.Connection) -> None:
    with _idle_lock:
        idle = _idle.setdefault(key, [])
        if len(idle) < MAX_IDLE:
            idle.append(con)
            return
    con.close()


@contextmanager
def connection(task: Any, wait: float = 0.0) -> Iterator[Any]:
    """A connection for one unit of work of CAMS (the caller commits; what it left
    uncommitted is rolled back). `wait`: see `_pooled`."""
    if not is_sqlite(task):
        con = _pooled(task, wait)
        try:
            yield con
        finally:
            con.close()
        return
    key = (os.getpid(), database_path(task))
    con = _take(key)
    try:
        yield con
    finally:
        try:
            if con.in_transaction:  # nothing is left open between units of work
                con.rollback()
        except sqlite3.Error:
            con.close()
        else:
            _give_back(key, con)


def warm_up(task: Any, count: int = 2) -> None:
    """Make `count` idle connections now (each reads the schema once), on SQLite."""
    if not is_sqlite(task):
        return
    key = (os.getpid(), database_path(task))
    made = [_open_sqlite(key[1]) for _ in range(count)]
    for con in made:
        con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        _give_back(key, con)
