"""The job engine (issue 11): real worker processes, leases, the Redis queue, and upload
identities that never collide (issue 10, item 5).

Every test drives real processes: the jam.py web server, `cams_module.lims.worker`
processes (Huey consumers), the NOMAD stand-in, and for the Redis path Debian's
redis-server on 127.0.0.1.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from cams_module.lims.upload_identity import identity, process_name_of
from tests.fixtures.cams_task import nomad_env, run_in_task
from tests.fixtures.postgres import free_port
from tests.hardening_scenarios import (
    DONE,
    assert_processed,
    job_rows,
    log_rows,
    standin_uploads,
    uploads_named,
    wait_state,
)

RACE = """
import threading, time
from cams_module.lims import job_store as store
from cams_module.lims import leases
from cams_module.status import NomadStatus
rows = task.processes.copy(handlers=False)
rows.set_where(name="Quick-Clean")
rows.open()
pid = rows.id.value
ticket = leases.new_ticket()
job_id = store.claim(task, pid, NomadStatus.QUEUED, "queued", job={
    "action": "upload", "user_login": "m.rossi", "worker": ticket, "heartbeat": time.time(),
    "payload": {}})
barrier = threading.Barrier(8)
won = []
def take(i):
    barrier.wait()
    if leases.acquire(task, job_id, ticket, f"w{i}"):
        won.append(f"w{i}")
threads = [threading.Thread(target=take, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
holder = won[0] if won else None
job = store.job_row(task, job_id)
fresh = leases.rearm(task, job)  # the holder shows life: nobody may take it
store.write_back(task, pid, job=(job_id, {"heartbeat": time.time() - 3600}))
job = store.job_row(task, job_id)
rearmed = []
def sweep(i):
    barrier.wait()
    ticket = leases.rearm(task, job)
    if ticket:
        rearmed.append(ticket)
threads = [threading.Thread(target=sweep, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
lost = True
try:
    store.write_back(task, pid, job=(job_id, {"message": "late"}), holder=holder,
                     process={"nomad_status": NomadStatus.PROCESSED})
    lost = False
except store.LeaseLost:
    pass
result = {"won": won, "fresh": fresh, "rearmed": len(rearmed),
          "old_holder_refused": lost,
          "status": str(store.process_state(task, pid).status),
          "worker_now": store.job_row(task, job_id)["worker"] == (rearmed or [None])[0]}
"""


def test_leases_never_give_one_job_to_two_workers(cams_task_copy):
    """Eight workers take one queued job at the same instant: one gets it. A live lease
    is never taken over; an expired one by exactly one sweeper, after which the old
    holder can write nothing (its whole change is rolled back)."""
    result = run_in_task(cams_task_copy.path, RACE)
    assert len(result["won"]) == 1, result
    assert result["fresh"] is None
    assert result["rearmed"] == 1 and result["worker_now"], result
    assert result["old_holder_refused"] and result["status"] == "queued", result


def _holder_index(server, process_id: int) -> int:
    """Which of the server's worker processes holds the process's job now."""
    admin = server.login("admin")
    [row] = [r for r in admin.rows("nomad_jobs", ["process", "worker"])
             if r["process"] == process_id]
    pid = int(row["worker"].split(":")[1])
    return next(i for i, proc in enumerate(server.workers) if proc.pid == pid)


def test_a_worker_killed_mid_upload_is_taken_over_one_upload(cams_server_factory,
                                                           nomad_server_factory):
    """kill -9 of the worker that sends the files: the other worker takes the job over
    after the lease, finds the upload by its identity and finishes it; NOMAD holds one."""
    nomad = nomad_server_factory(processing_delay=1.0)
    nomad.fault(match="POST /uploads", delay=2.0)
    server = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_WORKERS": "1"})
    server.start_worker()  # two worker processes
    session = server.login("m.rossi")
    pid = session.process_id("PicoTCDv3")
    assert session.call("processes", "upload_fair", pid)["ok"]
    wait_state(session, pid, lambda s: s["status"] == "uploading")
    time.sleep(0.3)  # the files are on their way to NOMAD
    server.kill_worker(_holder_index(server, pid))
    final = session.wait_status(pid, DONE, timeout=90)
    assert final["status"] == "processed", final
    assert_processed(server, nomad, pid, "PicoTCDv3")
    assert nomad.stats()["routes"]["POST /uploads"] == 1
    assert len(uploads_named(nomad, "PicoTCDv3")) == 1
    assert [(r["action"], r["outcome"]) for r in log_rows(server, pid)] == \
        [("upload", "processed")]
    assert [r["state"] for r in job_rows(server, pid)] == ["done"]
    assert "shows no life; queued again" in server.all_logs()


def test_a_worker_killed_while_nomad_processes_is_taken_over(cams_server_factory,
                                                             nomad_server_factory):
    nomad = nomad_server_factory(processing_delay=4.0)
    server = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_WORKERS": "1"})
    server.start_worker()
    session = server.login("l.verdi")
    pid = session.process_id("SiN-Waveguide-07")
    assert session.call("processes", "upload_fair", pid)["ok"]
    wait_state(session, pid, lambda s: s["status"] == "processing")
    server.kill_worker(0)  # between two looks at NOMAD: the other worker goes on
    final = session.wait_status(pid, DONE, timeout=90)
    assert final["status"] == "processed", final
    assert nomad.stats()["routes"]["POST /uploads"] == 1
    assert [(r["action"], r["outcome"]) for r in log_rows(server, pid)] == \
        [("upload", "processed")]


TWINS = """
from cams_module.lims.writer import write_process_document
doc = json.loads({document!r})
result = [write_process_document(task, doc), write_process_document(task, doc)]
"""


def test_two_processes_named_alike_never_share_an_upload(cams_server, nomad_server):
    """Two processes called "Twin", both pressed at once, and NOMAD's answer to both
    creating POSTs lost: each process finds its own upload (its id and job token are in
    the upload's name), never the other's."""
    demo = json.loads((Path(__file__).resolve().parents[1] / "task" / "demo" /
                       "processes.json").read_text("utf-8"))
    document = next(d for d in demo["processes"] if d["process"]["name"] == "Quick-Clean")
    document["process"]["name"] = "Twin"
    twins = run_in_task(cams_server.folder, TWINS.format(document=json.dumps(document)),
                        env=nomad_env(nomad_server))
    nomad_server.fault(match="POST /uploads", drop_connection="after", times=2)
    session = cams_server.login("m.rossi")
    for pid in twins:
        assert session.call("processes", "upload_fair", pid)["ok"]
    finals = {pid: session.wait_status(pid, DONE, timeout=90) for pid in twins}
    assert [f["status"] for f in finals.values()] == ["processed", "processed"], finals
    held = uploads_named(nomad_server, "Twin")
    assert len(held) == 2 and nomad_server.stats()["routes"]["POST /uploads"] == 2
    by_id = {u["upload_id"]: u for u in held}
    assert len({f["upload_id"] for f in finals.values()}) == 2
    for pid, final in finals.items():
        assert identity(by_id[final["upload_id"]]["upload_name"])[0] == pid
        assert process_name_of(by_id[final["upload_id"]]["upload_name"]) == "Twin"


def test_the_redis_queue_carries_the_jobs(cams_server_factory, nomad_server, redis_url):
    """CAMS_NOMAD_QUEUE=redis://…: press, worker and publish go through Redis; no SQLite
    queue file is made."""
    server = cams_server_factory(nomad=nomad_server,
                                 env={"CAMS_NOMAD_QUEUE": redis_url,
                                      "CAMS_NOMAD_QUEUE_NAME": "cams-test-redis"})
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    assert session.call("processes", "upload_fair", pid)["ok"]
    assert session.wait_status(pid, DONE)["status"] == "processed"
    steward = server.login("steward")
    assert steward.call("processes", "publish_fair", pid, 0)["ok"]
    assert steward.wait_status(pid, ("published", "failed"))["status"] == "published"
    assert [u["published"] for u in uploads_named(nomad_server, "Quick-Clean")] == [True]
    assert not (server.folder / "nomad-queue.sqlite").exists()


def test_the_queue_down_at_the_press_is_a_clear_refusal(cams_server_factory, nomad_server):
    """Redis unreachable: the press answers with a sentence, the status is as before and
    nothing stays queued."""
    server = cams_server_factory(nomad=nomad_server,
                                 env={"CAMS_NOMAD_QUEUE": f"redis://127.0.0.1:{free_port()}/0"})
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    reply = session.call("processes", "upload_fair", pid)
    assert not reply["ok"] and "job queue" in reply["message"], reply
    state = session.state(pid)
    assert state["status"] == "not uploaded" and not state["busy"], state
    assert [r["state"] for r in job_rows(server, pid)] == ["failed"]
    assert standin_uploads(nomad_server) == []
