"""A form save that races a NOMAD worker's write-back never overwrites what the worker
wrote (issue 13), on sqlite and on PostgreSQL, on jam.py 5 and 7.

The race is made, not hoped for: the test plays the worker's write-back of a process's
and a step's NOMAD fields in an open transaction (the row locks a worker holds while it
writes), sends a save of the process form (a stale copy: no upload yet, a changed note
and operator) through jam.py's real `/api`, waits until the save is blocked on those
locks (it has read the stored row by then), and only then commits the write-back. The
save must go through with the user's changes and leave the worker's values in place.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from typing import Any

import pytest

from tests import rights_client as rc
from tests.fixtures.cams_task import CamsServer, build_for_backend, nomad_env

WORKER_PROCESS = {"nomad_status": "processed", "nomad_upload_id": "race-upload-1",
                  "nomad_link": "http://nomad.example/gui/upload/id/race-upload-1"}
WORKER_STEP = {"nomad_entry_id": "race-entry-1",
               "nomad_entry_link": "http://nomad.example/gui/entry/id/race-entry-1"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def race(request, cams_task_build, nomad_server_session, tmp_path_factory):
    """A CAMS server without workers (the test is the worker) and a way into its database:
    (server, connect) where connect() opens a connection that does not autocommit."""
    build, database = build_for_backend(request, cams_task_build,
                                        tmp_path_factory.mktemp("race-pg") / "task")
    server = CamsServer(build, tmp_path_factory.mktemp("race") / "task",
                        nomad_env(nomad_server_session), workers=0)

    def connect() -> Any:
        if database is None:
            return sqlite3.connect(server.folder / "cams.sqlite", isolation_level=None)
        con = request.getfixturevalue("postgres_cluster").connect(database["database"])
        con.autocommit = False
        return con

    yield server, connect, request.param
    server.stop()


def columns(server: CamsServer, item: str, names: list[str]) -> tuple[str, str, list[str]]:
    """The table, primary key column and columns of `names` of `item` (from jam.py's
    admin database, which both versions keep in admin.sqlite)."""
    with closing(sqlite3.connect(server.folder / "admin.sqlite")) as admin:
        table, pk = admin.execute("SELECT F_TABLE_NAME, F_PRIMARY_KEY FROM SYS_ITEMS "
                                  "WHERE ID=?", (server.items[item],)).fetchone()
        (pk_column,) = admin.execute("SELECT F_DB_FIELD_NAME FROM SYS_FIELDS WHERE ID=?",
                                     (pk,)).fetchone()
        found = []
        for name in names:
            (column,) = admin.execute(
                "SELECT F_DB_FIELD_NAME FROM SYS_FIELDS WHERE OWNER_REC_ID=? AND "
                "F_FIELD_NAME=? AND (DELETED=0 OR DELETED IS NULL)",
                (server.items[item], name)).fetchone()
            found.append(column)
    return table, pk_column, found


def write_back(server: CamsServer, con: Any, kind: str, process_id: int,
               step_id: int) -> None:
    """The worker's write-back, left uncommitted: its row locks are held until commit."""
    mark = "?" if kind == "sqlite" else "%s"
    cursor = con.cursor()
    if kind == "sqlite":
        cursor.execute("BEGIN IMMEDIATE")
    for item, rec_id, values in (("processes", process_id, WORKER_PROCESS),
                                 ("steps", step_id, WORKER_STEP)):
        table, pk, names = columns(server, item, list(values))
        sets = ", ".join(f'"{n}"={mark}' for n in names)
        cursor.execute(f'UPDATE "{table}" SET {sets} WHERE "{pk}"={mark}',
                       [*values.values(), rec_id])


def save_is_blocked(con_factory: Any, kind: str, saving: threading.Thread) -> bool:
    """True once the save waits on the write-back's locks (PostgreSQL: a backend waiting
    for a lock; sqlite: the save still running after a second and a half)."""
    end = time.monotonic() + 20
    if kind == "sqlite":
        time.sleep(1.5)
        return saving.is_alive()
    with closing(con_factory()) as watcher:
        watcher.autocommit = True
        while time.monotonic() < end and saving.is_alive():
            cursor = watcher.cursor()
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                           "wait_event_type='Lock' AND datname=current_database()")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_a_save_racing_the_workers_write_back_keeps_the_workers_values(race):
    server, connect, kind = race
    rossi = server.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    process = rc.stored_process(rossi, pid)  # the form as opened: not uploaded yet
    step = rc.stored_steps(rossi, pid)[0]
    assert process["nomad_upload_id"] is None and step["nomad_entry_id"] is None
    detail = {str(rc.steps_detail_id(server)): rc.changes(
        rc.STEP_FIELDS, [(rc.MODIFY, rc.step_values(step, operator="raced edit"), {})])}
    form = [(rc.MODIFY, rc.process_values(process, notes="saved during the write-back"),
             detail)]
    outcome: dict[str, Any] = {}

    with closing(connect()) as worker:
        write_back(server, worker, kind, pid, step["id"])
        saving = threading.Thread(target=lambda: outcome.setdefault(
            "error", rc.save(rossi, "processes", rc.PROCESS_FIELDS, form)))
        saving.start()
        try:
            assert save_is_blocked(connect, kind, saving), \
                f"the save did not wait for the write-back: {outcome}"
        finally:
            worker.commit() if kind == "postgres" else worker.execute("COMMIT")
            saving.join(60)
    assert outcome["error"] is None, outcome

    after = rc.stored_process(rossi, pid)
    assert after["notes"] == "saved during the write-back"
    assert {k: after[k] for k in WORKER_PROCESS} == WORKER_PROCESS
    (stored_step,) = [s for s in rc.stored_steps(rossi, pid) if s["id"] == step["id"]]
    assert stored_step["operator"] == "raced edit"
    assert {k: stored_step[k] for k in WORKER_STEP} == WORKER_STEP
