"""The database connections of CAMS's own statements, kept open by each process.

jam.py opens a new SQLite connection for every statement (its pool keeps none for
SQLite), and a new SQLite connection reads the whole schema before its first statement —
about 1 ms of CPU with the CAMS tables, twice per Upload FAIR press. On PostgreSQL jam.py's
pool keeps a few connections and opens (and closes again) the rest whenever more threads
need one at once — a new server process each, in the middle of a burst of presses. CAMS's
own statements (`job_store`, `leases`, `jam_compat.select`) therefore take an idle
connection kept by their process (made by jam.py's own connect, or like it on SQLite: its
UPPER function, foreign keys on) and give it back afterwards; `warm_up` makes a few at
start, so the first presses after a restart find them. A connection is used by one thread
at a time; what a unit of work leaves uncommitted is rolled back before it is given back,
and a server connection idle for `RECYCLE` seconds is closed rather than reused. A
process keeps `KEEP` connections per database; in a burst a unit of work waits briefly
for one of them rather than opening more (a new PostgreSQL connection is a new server
process: far dearer than the wait).
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

#: connections a process keeps to one database: a unit of work that finds all of them
#: busy waits for one (at most `PATIENCE` s, then opens one more for the moment)
KEEP = 4
PATIENCE = 0.1
#: seconds after which an idle server connection (not SQLite) is closed, not reused
RECYCLE = 300.0
_idle: dict[tuple[int, str], list[tuple[float, Any]]] = {}
_kept: dict[tuple[int, str], int] = {}  # connections of the key in use or idle
_freed = threading.Condition()


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


def _identity(task: Any) -> str:
    """Which database the task's connections reach (its file, or server and name)."""
    if is_sqlite(task):
        return database_path(task)
    if getattr(task, "db_database", None) is not None:  # jam.py 5
        parts = (task.db_host, task.db_port, task.db_database, task.db_user)
    else:  # jam.py 7
        info = task.db_info
        parts = (info.dsn, info.host, info.port, info.database, info.user)
    return f"{task.db_type}|" + "|".join(str(p) for p in parts)


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


def _open(task: Any, wait: float) -> Any:
    """A new connection. Right at server start jam.py may not be ready to connect yet;
    with `wait` a caller that may run in that instant (a job resumed at start) retries,
    at most `wait` seconds."""
    if is_sqlite(task):
        return _open_sqlite(database_path(task))
    end = time.monotonic() + wait
    while True:
        try:
            return task.create_connection()
        except AttributeError:  # jam.py's database settings not loaded at this instant
            if time.monotonic() >= end:
                raise DatabaseUnavailable("The CAMS database could not be reached; "
                                          "press the button again.") from None
            time.sleep(0.05)


def _take(key: tuple[int, str], task: Any, wait: float) -> tuple[Any, bool]:
    """(a connection, whether it is one of the kept ones)."""
    end = time.monotonic() + PATIENCE
    with _freed:
        while True:
            idle = _idle.get(key) or []
            while idle:
                since, con = idle.pop()
                if is_sqlite(task) or time.monotonic() - since < RECYCLE:
                    return con, True
                _kept[key] -= 1
                _close(con)
            if _kept.get(key, 0) < KEEP:
                _kept[key] = _kept.get(key, 0) + 1
                break
            left = end - time.monotonic()
            if left <= 0:
                return _open(task, wait), False  # all busy for long: one more, not kept
            _freed.wait(left)
    try:
        return _open(task, wait), True
    except BaseException:
        _drop(key)
        raise


def _close(con: Any) -> None:
    try:
        con.close()
    except Exception:  # noqa: BLE001 - a connection the server dropped already
        pass


def _drop(key: tuple[int, str]) -> None:
    with _freed:
        _kept[key] -= 1
        _freed.notify()


def _give_back(key: tuple[int, str], con: Any) -> None:
    with _freed:
        _idle.setdefault(key, []).append((time.monotonic(), con))
        _freed.notify()


def _settle(con: Any) -> bool:
    """Roll back what is open on `con`; False when it is unusable."""
    if getattr(con, "closed", False):  # psycopg2: the server dropped it
        return False
    try:
        if getattr(con, "in_transaction", True):  # sqlite3 tells; others: always
            con.rollback()
    except Exception:  # noqa: BLE001 - broken: closed, never reused
        return False
    return True


@contextmanager
def connection(task: Any, wait: float = 0.0) -> Iterator[Any]:
    """A connection for one unit of work of CAMS (the caller commits; what it left
    uncommitted is rolled back). `wait`: see `_open`."""
    key = (os.getpid(), _identity(task))
    con, kept = _take(key, task, wait)
    try:
        yield con
    finally:
        if kept and _settle(con):
            _give_back(key, con)
        else:
            _close(con)
            if kept:
                _drop(key)


@contextmanager
def autocommit(task: Any, con: Any) -> Iterator[Any]:
    """`con` running each query string as its own transaction. On PostgreSQL this spares
    psycopg2's BEGIN before the first statement and the ROLLBACK after a read (two round
    trips to the server); SQLite's connection begins only before a change anyway."""
    if is_sqlite(task):
        yield con
        return
    con.autocommit = True
    try:
        yield con
    finally:
        if not con.closed:
            con.autocommit = False


def warm_up(task: Any) -> None:
    """Open the connections this process keeps now (on SQLite each reads the schema
    once), so the first presses after a start do not."""
    key = (os.getpid(), _identity(task))
    taken = []
    for _ in range(KEEP):
        con, kept = _take(key, task, 0.0)
        if is_sqlite(task):
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        taken.append((con, kept))
    for con, kept in taken:
        if kept:
            _give_back(key, con)
        else:
            _close(con)
