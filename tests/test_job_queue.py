"""The job queue's timing guarantees (issue 11): a step due in a fraction of a second runs
then (not at Huey's next whole-second scheduler tick), and a job whose queue message was
taken by a worker that died before claiming it is queued again after a lease, not after
the 600 s queue timeout. Real Huey consumers, real worker processes, the NOMAD stand-in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cams_module.lims.queue import get_queue
from tests.hardening_scenarios import DONE, assert_processed, job_rows, uploads_named

REPO = Path(__file__).resolve().parents[1]

# A consumer whose own scheduler looks at the schedule once a minute: the first step asks
# for the next one 0.3 s later; the second records when it ran.
SCHEDULED = """
import json, sys, time
from cams_module.lims import queue
runs = []
def runner(job_id, ticket):
    runs.append((ticket, time.monotonic()))
    return ("second", 0.3) if ticket == "first" else None
consumer = queue.serve(sys.argv[1], runner, workers=1, scheduler_interval=60)
consumer.start()
time.sleep(0.5)  # Huey's scheduler has made its first (start-up) look
queue.enqueue(sys.argv[1], 7, "first")
end = time.monotonic() + 20
while len(runs) < 2 and time.monotonic() < end:
    time.sleep(0.01)
consumer.stop()
print(json.dumps({"runs": [[t, at] for t, at in runs]}), flush=True)
"""


def test_a_step_due_in_a_fraction_of_a_second_runs_then(tmp_path):
    """The worker that schedules a step 0.3 s ahead moves it to the queue at its due
    time; without that, Huey's scheduler (here once a minute, by default once a second)
    decides when it runs."""
    done = subprocess.run([sys.executable, "-c", SCHEDULED, str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])["runs"]
    assert [t for t, _ in runs] == ["first", "second"], (runs, done.stderr[-2000:])
    gap = runs[1][1] - runs[0][1]
    assert 0.3 <= gap < 10, gap  # due after 0.3 s, long before Huey's next look (60 s)


def test_a_message_taken_by_a_dead_worker_is_queued_again_after_a_lease(
        cams_server_factory, nomad_server):
    """A worker takes the press's queue message and dies before claiming the job (here:
    the message is taken out of the queue and no worker runs). Once the job is a lease
    (5 s) overdue and its message is in neither the queue nor the schedule, a worker's
    sweep queues it again — not after CAMS_NOMAD_QUEUE_TIMEOUT (600 s); one upload."""
    server = cams_server_factory(nomad=nomad_server,
                                 env={"CAMS_NOMAD_QUEUE_TIMEOUT": "600"})
    server.kill_worker(0)
    session = server.login("m.rossi")
    pid = session.process_id("Quick-Clean")
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"], reply
    huey, _step = get_queue(server.folder)
    taken = huey.dequeue()  # what a worker does first; then it "dies"
    assert taken is not None and taken.args[0] == reply["job_id"], taken
    assert huey.dequeue() is None
    server.start_worker()
    final = session.wait_status(pid, DONE, timeout=60)
    assert final["status"] == "processed", final
    assert_processed(server, nomad_server, pid, "Quick-Clean")
    assert len(uploads_named(nomad_server, "Quick-Clean")) == 1
    assert [r["state"] for r in job_rows(server, pid)] == ["done"]
    assert "queued again" in server.all_logs()
