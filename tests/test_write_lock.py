"""The SQLite write turn of CAMS (lims.write_lock): WAL, one writer at a time, presses
before workers — with real SQLite files and real threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from cams_module.lims import write_lock
from cams_module.lims.write_lock import ensure_wal, sqlite_writer


def _database(tmp_path: Path) -> str:
    path = tmp_path / "cams.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return str(path)


def test_ensure_wal_switches_the_database_once(tmp_path: Path) -> None:
    database = _database(tmp_path)
    con = sqlite3.connect(database)
    assert ensure_wal(database, con) is True
    con.close()
    other = sqlite3.connect(database)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.execute("INSERT INTO t (v) VALUES ('x')")
    other.commit()
    other.close()  # the process's idle connection keeps the WAL: no checkpoint per close
    assert Path(database + "-wal").exists()


def test_wal_can_be_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMS_NOMAD_SQLITE_WAL", "0")
    database = _database(tmp_path)
    con = sqlite3.connect(database)
    assert ensure_wal(database, con) is False
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    database = _database(tmp_path)
    inside, most = [0], [0]
    guard = threading.Lock()

    def write(urgent: bool) -> None:
        for _ in range(20):
            with sqlite_writer(database, urgent):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                with guard:
                    inside[0] -= 1

    threads = [threading.Thread(target=write, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1
    assert Path(write_lock.lock_path(database)).exists()


def test_a_waiting_press_goes_before_a_waiting_worker(tmp_path: Path) -> None:
    database = _database(tmp_path)
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def worker_holding() -> None:
        with sqlite_writer(database):
            holding.set()
            release.wait(10)

    def take(name: str, urgent: bool) -> None:
        with sqlite_writer(database, urgent):
            order.append(name)

    first = threading.Thread(target=worker_holding)
    first.start()
    assert holding.wait(10)
    press = threading.Thread(target=take, args=("press", True))
    press.start()
    time.sleep(0.2)  # the press waits for the turn (and is announced)
    worker = threading.Thread(target=take, args=("worker", False))
    worker.start()
    time.sleep(0.2)  # the worker waits behind the announced press
    release.set()
    for t in (first, press, worker):
        t.join(10)
    assert order == ["press", "worker"]
