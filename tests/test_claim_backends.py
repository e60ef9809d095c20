"""The claim of a press (status queued + job row) on SQLite and on PostgreSQL, where it is
one statement in one round trip (`lims/one_trip.py`): the same job row, nothing written
when refused, and the kept connection left as it was (no setting, no open transaction,
psycopg2's own transactions again for the next unit of work)."""

from __future__ import annotations

import shutil
from contextlib import closing

import pytest

from tests.fixtures.cams_task import NO_NOMAD, build_for_backend, run_in_task

BODY = """
from cams_module.lims import connections
from cams_module.lims import job_store as store
from cams_module.status import NomadStatus
from contextlib import ExitStack
postgres = not connections.is_sqlite(task)
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
job = {"action": "publish", "user_login": "m.rossi", "worker": "ticket-1",
       "heartbeat": 12.5, "upload_id": "up-1", "embargo_months": 3,
       "payload": {"process_name": "Quick-Clean", "note": "it's 100% 'quoted'"}}
job_id = store.claim(task, pid, NomadStatus.QUEUED, "Queued: 50% done?", job=job)
row = store.job_row(task, job_id)
state = store.process_state(task, pid)
again = store.claim(task, pid, NomadStatus.QUEUED, "second", job={**job, "worker": "t-2"})
after = store.process_state(task, pid)
jobs = [j["id"] for j in store.jobs_in(task, ["queued"]) if j["process"] == pid]
missing = store.claim(task, 2**40, NomadStatus.QUEUED, "none", job=job)
result = {"job_id": job_id, "row": {k: v for k, v in row.items() if k not in ("id", "created")},
          "created": row["created"] is not None, "status": str(state.status),
          "message": state.message, "again": again, "after": after.message, "jobs": jobs,
          "missing": missing, "jobs_total": len(store.jobs_in(task, ["queued"]))}
if postgres:  # every connection the process keeps, the claim's among them
    with ExitStack() as stack:
        kept = [stack.enter_context(connections.connection(task))
                for _ in range(connections.KEEP)]
        result["settings"], result["autocommit"] = [], []
        for con in kept:
            cursor = con.cursor()
            cursor.execute("SHOW synchronous_commit")
            result["settings"].append(cursor.fetchone()[0])
            result["autocommit"].append(con.autocommit)
    try:  # psycopg2's own transaction again: an error undoes the unit of work
        with store.transaction(task) as con:
            con.cursor().execute(*store._update_sql(task, store.processes_item(task), pid,
                                                    {"nomad_message": "undone"}))
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    result["undone"] = store.process_state(task, pid).message
"""


@pytest.fixture(params=["sqlite", "postgres"])
def task_folder(request, cams_task_build, tmp_path):
    """A private copy of the demo task on SQLite, or the demo in a fresh PostgreSQL
    database whose sessions commit synchronously (the test cluster's server default is
    off), so a claim's own setting would show if it outlived the claim."""
    build, database = build_for_backend(request, cams_task_build, tmp_path / "pg")
    if database is None:
        shutil.copytree(build.path, tmp_path / "task")
        return tmp_path / "task", "sqlite"
    with closing(request.getfixturevalue("postgres_cluster").connect("postgres")) as con:
        con.autocommit = True
        con.cursor().execute(f'ALTER DATABASE "{database["database"]}" '
                             "SET synchronous_commit TO on")
    return build.path, "postgres"


def test_claim_writes_the_job_row_and_refuses_a_busy_process(task_folder):
    folder, backend = task_folder
    result = run_in_task(folder, BODY, env=NO_NOMAD)
    assert isinstance(result["job_id"], int) and result["created"]
    assert result["row"] == {
        "process": result["row"]["process"], "action": "publish", "state": "queued",
        "started": None, "user_login": "m.rossi", "worker": "ticket-1", "heartbeat": 12.5,
        "upload_id": "up-1", "embargo_months": 3,
        "payload": {"process_name": "Quick-Clean", "note": "it's 100% 'quoted'"}}
    assert result["status"] == "queued" and result["message"] == "Queued: 50% done?"
    # busy: refused, no second job row, the process untouched
    assert result["again"] is None and result["after"] == "Queued: 50% done?"
    assert result["jobs"] == [result["job_id"]] and result["jobs_total"] == 1
    assert result["missing"] is None  # no such process: no job row either
    if backend == "postgres":
        # the claim's synchronous_commit stayed in it; psycopg2's transactions are back
        assert result["settings"] == ["on"] * len(result["settings"]) != []
        assert result["autocommit"] == [False] * len(result["settings"])
        assert result["undone"] == "Queued: 50% done?"
