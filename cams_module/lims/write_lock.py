"""How CAMS writes to a SQLite database: WAL, one writer at a time, the button first.

SQLite lets one connection write at a time; a connection that finds the database locked
sleeps in SQLite's busy handler in growing steps (up to 100 ms), so under a burst of
Upload FAIR presses (several web processes, the workers) most of the wait used to be
sleep while the database was already free. CAMS's own writes (`job_store.transaction`)
therefore take turns on a lock file beside the database (`<database>-writers.lock`,
`fcntl.flock`: the kernel wakes the next writer the moment the previous one commits, and
releases the turn of a process that dies). A press (`urgent`) goes before the workers: a
worker waits while any press waits (`<database>-presses.lock`). The database is switched
to WAL once (`ensure_wal`), so reading never waits for a writer and a commit is one
append; env CAMS_NOMAD_SQLITE_WAL=0 leaves the journal mode alone (e.g. on a network file
system, where SQLite's WAL does not work). In WAL the press's claim commits without
waiting for the disk (synchronous=NORMAL: still all or nothing); the worker's next commit,
which waits for the disk, makes it durable before anything is sent to NOMAD, so a power cut
can at worst forget a press of the last moment (the process keeps its previous status, a
queue message finds no job and is dropped). Each process keeps one idle connection
open, so that jam.py closing its connections does not checkpoint the WAL every time.
Other databases need none of this.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("cams_module.lims.write_lock")

_modes: dict[str, bool] = {}  # database -> in WAL (as found by this process)
_anchors: dict[str, tuple[int, sqlite3.Connection]] = {}  # database -> (pid, connection)
_checked_lock = threading.Lock()


def lock_path(database: str, kind: str = "writers") -> str:
    """A lock file of the SQLite database at `database` (`writers` or `presses`)."""
    return os.path.abspath(database) + f"-{kind}.lock"


@contextmanager
def _flock(path: str, mode: int) -> Iterator[None]:
    """Hold `flock(mode)` on `path` through a descriptor of our own (so threads of one
    process exclude each other too)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def sqlite_writer(database: str, urgent: bool = False) -> Iterator[None]:
    """Hold the write turn of the SQLite database at `database` (blocks until it is
    ours). `urgent` (a press): announced first, so workers let it pass."""
    if urgent:
        with _flock(lock_path(database, "presses"), fcntl.LOCK_SH), \
                _flock(lock_path(database), fcntl.LOCK_EX):
            yield
        return
    with _flock(lock_path(database, "presses"), fcntl.LOCK_EX):
        pass  # no press is waiting now
    with _flock(lock_path(database), fcntl.LOCK_EX):
        yield


def wal_wanted() -> bool:
    """False when env CAMS_NOMAD_SQLITE_WAL=0 (keep the database's journal mode)."""
    return (os.environ.get("CAMS_NOMAD_SQLITE_WAL") or "1").strip() not in ("0", "no", "off")


def ensure_wal(database: str, connection: Any) -> bool:
    """Switch the SQLite database to WAL through `connection` (outside a transaction),
    once per process; True when it is in WAL (a database that stays in another mode is
    logged once)."""
    with _checked_lock:
        if database in _modes:
            return _modes[database]
        _modes[database] = False
    wal = False
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal" and wal_wanted():
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        wal = str(mode).lower() == "wal"
        if not wal and wal_wanted():
            log.warning("%s stays in journal mode %s (WAL refused)", database, mode)
    except Exception:  # busy at this moment or read-only: the next process tries again
        log.warning("%s could not be switched to WAL", database, exc_info=True)
        with _checked_lock:
            _modes.pop(database, None)
        return False
    with _checked_lock:
        _modes[database] = wal
    if wal:
        _anchor(database)
    return wal


def _anchor(database: str) -> None:
    """Keep one idle connection open in this process: SQLite checkpoints and removes the
    WAL whenever its last connection closes (a disk wait on every request, as jam.py
    opens a connection per statement); with this one open it checkpoints as pages add up."""
    with _checked_lock:
        found = _anchors.get(database)
        if found is not None and found[0] == os.getpid():
            return
        connection = sqlite3.connect(database, check_same_thread=False)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        _anchors[database] = (os.getpid(), connection)
