"""Integration scenarios of Upload FAIR shared by the hardening tests (sqlite and PostgreSQL).

Each scenario drives a running CAMS server (`tests.fixtures.cams_task.CamsServer`) through
jam.py's HTTP `/api` with logged-in sessions, against a NOMAD stand-in, and checks that
nothing was lost or doubled: the process status, the steps' entry ids, the upload log,
the job rows and the uploads NOMAD holds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

from benchmarks.bench_load import clone_session, press_all, standin_uploads
from cams_module.lims.upload_identity import identity, process_name_of
from tests.fixtures.cams_task import CamsServer

DONE = ("processed", "failed", "published")
#: what must never appear in the jam.py server's log
TROUBLE = re.compile(r"database is locked|deadlock|OperationalError|Traceback|"
                     r"could not serialize", re.IGNORECASE)


def uploads_named(nomad: Any, name: str) -> list[dict]:
    """The stand-in's uploads of processes called `name` (the upload name is the process
    name followed by its CAMS identity)."""
    return [u for u in standin_uploads(nomad)
            if process_name_of(u.get("upload_name")) == name]


def log_rows(server: CamsServer, process_id: int) -> list[dict]:
    """The upload log rows of a process, oldest first (read as the administrator)."""
    rows = server.login("admin").rows(
        "upload_log", ["process", "user_login", "action", "outcome", "upload_id", "errors"])
    return [r for r in rows if r["process"] == process_id]


def job_rows(server: CamsServer, process_id: int) -> list[dict]:
    """The NOMAD job rows of a process, oldest first."""
    rows = server.login("admin").rows("nomad_jobs", ["process", "action", "state", "message"])
    return [r for r in rows if r["process"] == process_id]


def wait_state(session: Any, process_id: int, predicate, timeout: float = 60) -> dict:
    """Poll `nomad_state` until `predicate(state)` holds."""
    end = time.monotonic() + timeout
    while True:
        state = session.state(process_id)
        if predicate(state):
            return state
        if time.monotonic() > end:
            raise TimeoutError(f"process {process_id}: {state}")
        time.sleep(0.05)


def assert_processed(server: CamsServer, nomad: Any, process_id: int, name: str) -> dict:
    """The process is processed, with one NOMAD upload, entries on every step."""
    state = server.login("admin").state(process_id)
    assert state["status"] == "processed", state
    assert state["upload_id"] and state["link"] and state["uploaded_at"]
    assert all(s["entry_id"] and s["link"] for s in state["steps"]), state["steps"]
    held = uploads_named(nomad, name)
    assert [u["upload_id"] for u in held] == [state["upload_id"]]
    assert held[0]["process_status"] == "SUCCESS"
    return state


def scenario_success(server: CamsServer, nomad: Any, name: str = "Quick-Clean",
                     login: str = "m.rossi") -> dict:
    """One press: processed, one upload, one log row, a done job."""
    session = server.login(login)
    pid = session.process_id(name)
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"] and reply["status"] == "queued" and reply["job_id"], reply
    session.wait_status(pid, DONE)
    state = assert_processed(server, nomad, pid, name)
    assert [(r["action"], r["outcome"], r["user_login"]) for r in log_rows(server, pid)] == \
        [("upload", "processed", login)]
    assert [(r["action"], r["state"]) for r in job_rows(server, pid)] == [("upload", "done")]
    assert TROUBLE.findall(server.all_logs()) == []
    return state


def scenario_double_press(server: CamsServer, nomad: Any, name: str = "MEMS-Gyro-B2",
                          login: str = "a.bianchi") -> None:
    """Two presses in a row: the second is refused; one job, one NOMAD upload."""
    session = server.login(login)
    pid = session.process_id(name)
    first = session.call("processes", "upload_fair", pid)
    second = session.call("processes", "upload_fair", pid)
    assert first["ok"], first
    assert not second["ok"] and second["job_id"] is None, second
    assert "already under way" in second["message"]
    session.wait_status(pid, DONE)
    assert_processed(server, nomad, pid, name)
    assert len(job_rows(server, pid)) == 1
    assert Counter(r["outcome"] for r in log_rows(server, pid))["processed"] == 1


def scenario_reupload(server: CamsServer, nomad: Any, name: str = "PicoTCDv3",
                      login: str = "m.rossi") -> None:
    """Press, processed, press again: the same NOMAD upload is updated, not doubled."""
    session = server.login(login)
    pid = session.process_id(name)
    assert session.call("processes", "upload_fair", pid)["ok"]
    first = session.wait_status(pid, DONE)
    assert first["status"] == "processed", first
    again = session.call("processes", "upload_fair", pid)
    assert again["ok"] and first["upload_id"] in again["message"], again
    session.wait_status(pid, DONE)
    second = assert_processed(server, nomad, pid, name)
    assert second["upload_id"] == first["upload_id"]
    assert [(r["outcome"], r["upload_id"]) for r in log_rows(server, pid)] == \
        [("processed", first["upload_id"])] * 2


def scenario_publish(server: CamsServer, nomad: Any, name: str = "Quick-Clean",
                     login: str = "m.rossi") -> None:
    """Upload, publish with an embargo (steward), then a press: the published upload is
    never changed."""
    session = server.login(login)
    pid = session.process_id(name)
    assert session.call("processes", "upload_fair", pid)["ok"]
    processed = session.wait_status(pid, DONE)
    steward = server.login("steward")
    assert steward.call("processes", "publish_fair", pid, 6)["ok"]
    published = steward.wait_status(pid, ("published", "failed"))
    assert published["status"] == "published" and published["published_at"], published
    assert not published["can_upload"] and not published["can_publish"]
    held = uploads_named(nomad, name)
    assert [(u["upload_id"], u["published"], u.get("embargo_length")) for u in held] == \
        [(processed["upload_id"], True, 6)]
    again = session.call("processes", "upload_fair", pid)
    assert not again["ok"] and "never changed" in again["message"], again
    assert [(r["action"], r["outcome"]) for r in log_rows(server, pid)] == \
        [("upload", "processed"), ("publish", "published"), ("upload", "refused")]
    assert not any(route.startswith("PUT ") for route in nomad.stats()["routes"])


def together(sessions: list, func: str, *args) -> list[dict]:
    """Call `func(*args)` from every session at the same moment; the replies."""
    replies: list = [None] * len(sessions)
    barrier = threading.Barrier(len(sessions), timeout=60)

    def one(i: int, session) -> None:
        session.state(args[0])
        barrier.wait()
        replies[i] = session.call("processes", func, *args)

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return replies


def scenario_simultaneous_presses(server: CamsServer, nomad: Any, name: str = "PicoTCDv3",
                                  login: str = "m.rossi", presses: int = 10) -> None:
    """`presses` presses of one process by its owner, the steward and the administrator
    at the same instant: one job, one NOMAD upload; the others told it is under way."""
    owner = server.login(login)
    pid = owner.process_id(name)
    logins = [owner, server.login("steward"), server.login("admin")]
    sessions = [clone_session(logins[i % 3]) for i in range(presses)]
    replies = together(sessions, "upload_fair", pid)
    assert sum(bool(r["ok"]) for r in replies) == 1, replies
    assert all("already under way" in r["message"] for r in replies if not r["ok"]), replies
    owner.wait_status(pid, DONE)
    assert_processed(server, nomad, pid, name)
    assert [r["state"] for r in job_rows(server, pid)] == ["done"]
    assert Counter(r["outcome"] for r in log_rows(server, pid)) == \
        {"processed": 1, "refused": presses - 1}  # every refused press is logged
    assert nomad.stats()["routes"]["POST /uploads"] == 1


def scenario_restart_mid_job(server: CamsServer, nomad: Any, name: str = "SiN-Waveguide-07",
                             login: str = "l.verdi") -> None:
    """Kill the CAMS server (SIGKILL) while NOMAD processes the upload, start it again:
    the job is followed to the end, nothing sent twice, nothing stuck."""
    session = server.login(login)
    pid = session.process_id(name)
    assert session.call("processes", "upload_fair", pid)["ok"]
    wait_state(session, pid, lambda s: s["status"] == "processing" and s["upload_id"])
    server.kill()
    server.start()
    session = server.login(login)
    final = session.wait_status(pid, DONE, timeout=60)
    assert final["status"] == "processed", final
    assert_processed(server, nomad, pid, name)
    outcomes = [(r["action"], r["outcome"]) for r in log_rows(server, pid)]
    assert outcomes.count(("upload", "processed")) == 1, outcomes
    states = [r["state"] for r in job_rows(server, pid)]
    assert "running" not in states and "queued" not in states, states


def check_load(server: CamsServer, nomad: Any, owners: dict[int, str],
               names: dict[int, str]) -> None:
    """Press all processes at once and check that nothing was lost or doubled."""
    result = press_all(server, owners)
    failed_presses = [(p.process_id, p.error or p.reply) for p in result.presses
                      if p.error or not p.reply.get("ok") or p.reply["status"] != "queued"]
    assert failed_presses == [], failed_presses
    assert len({p.reply["job_id"] for p in result.presses}) == len(owners)
    not_done = {pid: (s["status"], s["message"]) for pid, s in result.states.items()
                if s["status"] != "processed"}
    assert not_done == {}, not_done

    uploads = standin_uploads(nomad)
    per_name = Counter(process_name_of(u["upload_name"]) for u in uploads)
    assert {names[pid]: per_name[names[pid]] for pid in owners} == \
        {names[pid]: 1 for pid in owners}
    by_id = {u["upload_id"]: u for u in uploads}
    for pid, state in result.states.items():
        upload = by_id[state["upload_id"]]
        assert process_name_of(upload["upload_name"]) == names[pid]
        assert identity(upload["upload_name"])[0] == pid
        assert upload["process_status"] == "SUCCESS"
        assert state["link"] and state["uploaded_at"]
        assert all(s["entry_id"] and s["link"] for s in state["steps"])

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
    assert TROUBLE.findall(server.all_logs()) == []
