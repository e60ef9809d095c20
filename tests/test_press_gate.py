"""Presses first (`lims/press_gate.py`): a queued press stamps the task folder, and a
worker's step waits while presses keep coming — never longer than its limit, never for a
stamp that is old, missing or from a clock far ahead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from cams_module.lims import press_gate, queue

REPO = Path(__file__).resolve().parents[1]


def test_no_press_yet_no_wait(tmp_path):
    assert press_gate.hold_back(tmp_path) < 0.02


def test_a_step_waits_until_the_presses_are_quiet(tmp_path):
    press_gate.mark(tmp_path)
    waited = press_gate.hold_back(tmp_path, quiet=0.15, longest=2.0)
    assert 0.1 <= waited < 1.0
    assert press_gate.hold_back(tmp_path, quiet=0.15, longest=2.0) < 0.02  # quiet now


def test_a_steady_stream_of_presses_holds_a_step_back_at_most_the_limit(tmp_path):
    stop = threading.Event()

    def press() -> None:
        while not stop.is_set():
            press_gate.mark(tmp_path)
            time.sleep(0.01)

    presser = threading.Thread(target=press)
    presser.start()
    try:
        time.sleep(0.05)
        waited = press_gate.hold_back(tmp_path, quiet=0.2, longest=0.4)
    finally:
        stop.set()
        presser.join()
    assert 0.39 <= waited < 1.5


def test_a_stamp_far_ahead_of_this_clock_is_ignored(tmp_path):
    press_gate.mark(tmp_path)
    ahead = time.time() + 3600
    os.utime(press_gate.stamp_path(tmp_path), (ahead, ahead))
    assert press_gate.hold_back(tmp_path, quiet=0.2, longest=2.0) < 0.05


def test_a_stamp_that_cannot_be_written_never_fails_the_press(tmp_path):
    press_gate.mark(tmp_path / "no such folder")
    assert not (tmp_path / "no such folder").exists()


def test_queueing_a_press_stamps_the_task_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMS_NOMAD_QUEUE", raising=False)
    before = time.time()
    queue.enqueue(tmp_path, 1, "ticket-1")  # this process is no worker: a press
    stamp = press_gate.stamp_path(tmp_path)
    assert stamp.exists() and stamp.stat().st_mtime >= before - 0.05
    assert oct(stamp.stat().st_mode & 0o777) == oct(0o600)
    assert queue.waiting_tickets(tmp_path) == {"ticket-1"}


# A real consumer in a worker process: it records when it ran the step it was given.
WORKER = """
import json, sys, time
from cams_module.lims import queue
runs = []
consumer = queue.serve(sys.argv[1], lambda job_id, ticket: runs.append(time.monotonic()),
                       workers=1)
consumer.start()
print("ready", flush=True)
end = time.monotonic() + 20
while not runs and time.monotonic() < end:
    time.sleep(0.005)
consumer.stop()
print(json.dumps(runs), flush=True)
"""


def test_a_worker_runs_its_step_only_once_the_presses_stop(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMS_NOMAD_QUEUE", raising=False)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        queue.enqueue(tmp_path, 7, "first")  # a press; more keep coming for 0.3 s
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            press_gate.mark(tmp_path)
            time.sleep(0.01)
        last_press = time.monotonic() - 0.01
        out, _ = worker.communicate(timeout=30)
    finally:
        worker.kill()
    runs = json.loads(out.strip().splitlines()[-1])
    assert len(runs) == 1
    assert runs[0] >= last_press + press_gate.QUIET * 0.8  # not while presses arrived
