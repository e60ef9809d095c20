"""Races (issue 6): many presses of the same process at the same instant.

Sequential double presses are covered by the scenarios; here the presses of several
users (owner, steward, administrator) on ONE process are released by a barrier so they
reach the jam.py server together. Exactly one may win: one job, one NOMAD upload, one
publication; every loser gets a sentence, and nothing is left busy.
"""

from __future__ import annotations

import threading

from benchmarks.bench_load import clone_session
from tests.hardening_scenarios import (
    DONE,
    log_rows,
    scenario_simultaneous_presses,
    together,
    uploads_named,
)


def test_ten_simultaneous_presses_on_one_process_make_one_upload(cams_server, nomad_server):
    scenario_simultaneous_presses(cams_server, nomad_server)


def test_simultaneous_publishes_publish_once(cams_server, nomad_server):
    owner = cams_server.login("m.rossi")
    pid = owner.process_id("Quick-Clean")
    assert owner.call("processes", "upload_fair", pid)["ok"]
    owner.wait_status(pid, DONE)
    stewards = [cams_server.login("steward"), cams_server.login("admin")]
    sessions = [clone_session(stewards[i % 2]) for i in range(6)]
    replies = together(sessions, "publish_fair", pid, 0)
    assert sum(r["ok"] for r in replies) == 1, replies
    final = owner.wait_status(pid, ("published", "failed"))
    assert final["status"] == "published", final
    assert nomad_server.stats()["routes"]["POST /uploads/{upload_id}/action/publish"] == 1
    assert [u["published"] for u in uploads_named(nomad_server, "Quick-Clean")] == [True]
    outcomes = [(r["action"], r["outcome"]) for r in log_rows(cams_server, pid)]
    assert outcomes.count(("publish", "published")) == 1, outcomes


def test_upload_and_publish_pressed_together_on_a_processed_process(cams_server, nomad_server):
    """A re-upload and a publish racing: one wins; the published upload is never changed."""
    owner = cams_server.login("m.rossi")
    pid = owner.process_id("Quick-Clean")
    assert owner.call("processes", "upload_fair", pid)["ok"]
    first = owner.wait_status(pid, DONE)
    steward = cams_server.login("steward")
    replies: dict[str, dict] = {}
    barrier = threading.Barrier(2, timeout=60)

    def run(name: str, session, func: str, *args) -> None:
        barrier.wait()
        replies[name] = session.call("processes", func, *args)

    threads = [threading.Thread(target=run, args=("upload", clone_session(owner),
                                                  "upload_fair", pid)),
               threading.Thread(target=run, args=("publish", clone_session(steward),
                                                  "publish_fair", pid, 0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["ok"] for r in replies.values()) == 1, replies
    final = owner.wait_status(pid, ("processed", "published", "failed"))
    held = uploads_named(nomad_server, "Quick-Clean")
    assert [u["upload_id"] for u in held] == [first["upload_id"]]
    puts = sum(n for route, n in nomad_server.stats()["routes"].items()
               if route.startswith("PUT /uploads/"))
    if replies["publish"]["ok"]:  # published, and its files never replaced
        assert final["status"] == "published" and held[0]["published"], final
        assert puts == 0
    else:  # the re-upload won: updated in place, not published
        assert final["status"] == "processed" and not held[0]["published"], final
        assert puts >= 1
