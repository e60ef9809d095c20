"""Load (issue 6): 20 users press Upload FAIR on 50 different processes at once.

Against the local NOMAD stand-in: every process ends processed, NOMAD holds exactly one
upload per process, every status, step entry, job and upload log row is written, and the
jam.py server logged no database lock error. Correctness only; the button latency is
printed by `python -m benchmarks.bench_load` (and `./run bench`).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks.bench_load import extend_task, press_all, standin_uploads
from tests.fixtures.cams_task import CamsServer, nomad_env

USERS, PROCESSES = 20, 50
TROUBLE = re.compile(r"database is locked|deadlock|OperationalError|Traceback|"
                     r"could not serialize", re.IGNORECASE)


def check_load(server: CamsServer, nomad, owners: dict[int, str], names: dict[int, str]):
    """Press all at once and check that nothing was lost or doubled."""
    result = press_all(server, owners)
    failed_presses = [(p.process_id, p.error or p.reply) for p in result.presses
                      if p.error or not p.reply.get("ok") or p.reply["status"] != "queued"]
    assert failed_presses == []
    assert len({p.reply["job_id"] for p in result.presses}) == len(owners)

    not_done = {pid: (s["status"], s["message"]) for pid, s in result.states.items()
                if s["status"] != "processed"}
    assert not_done == {}

    uploads = standin_uploads(nomad)
    per_name = Counter(u["upload_name"] for u in uploads)
    assert {names[pid]: per_name[names[pid]] for pid in owners} == \
        {names[pid]: 1 for pid in owners}
    by_id = {u["upload_id"]: u for u in uploads}
    for pid, state in result.states.items():
        upload = by_id[state["upload_id"]]
        assert upload["upload_name"] == names[pid]
        assert upload["process_status"] == "SUCCESS"
        assert state["link"] and state["uploaded_at"]
        assert [bool(s["entry_id"] and s["link"]) for s in state["steps"]] == [True, True]

    admin = server.login("admin")
    log = [r for r in admin.rows("upload_log", ["process", "action", "outcome", "upload_id"])
           if r["process"] in owners]
    assert Counter((r["process"], r["action"], r["outcome"]) for r in log) == \
        Counter({(pid, "upload", "processed"): 1 for pid in owners})
    assert {r["process"]: r["upload_id"] for r in log} == \
        {pid: s["upload_id"] for pid, s in result.states.items()}
    jobs = [r for r in admin.rows("nomad_jobs", ["process", "action", "state"])
            if r["process"] in owners]
    assert Counter((r["process"], r["state"]) for r in jobs) == \
        Counter({(pid, "done"): 1 for pid in owners})
    assert TROUBLE.findall(server.log_text()) == []


@pytest.fixture(scope="module")
def load_nomad(nomad_server_factory):
    """A stand-in that allows many unpublished uploads (NOMAD's limit is 10 per user)."""
    return nomad_server_factory(processing_delay=0.2, extra_args=["--upload-limit", "100000"])


def test_twenty_users_fifty_processes_at_once_sqlite(cams_task_build, load_nomad, tmp_path):
    task = extend_task(cams_task_build, tmp_path / "loaded", USERS, PROCESSES)
    assert len(set(task.owners.values())) == USERS
    server = CamsServer(task.build, tmp_path / "server",
                        {**nomad_env(load_nomad), "CAMS_NOMAD_WORKERS": "4"})
    try:
        check_load(server, load_nomad, task.owners, task.names)
    finally:
        server.stop()
