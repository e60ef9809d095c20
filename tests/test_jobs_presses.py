"""Jobs hold back their CPU-heavy start while presses are being answered."""

from __future__ import annotations

import threading

from cams_module.lims import jobs


def test_a_job_waits_until_the_running_press_has_answered():
    order: list[str] = []
    pressed, released = threading.Event(), threading.Event()

    def press() -> None:
        with jobs.pressing():
            pressed.set()
            released.wait(10)
            order.append("press answered")

    def job() -> None:
        pressed.wait(10)
        jobs.yield_to_presses(quiet=0.01, limit=30)
        order.append("job starts")

    threads = [threading.Thread(target=press), threading.Thread(target=job)]
    for t in threads:
        t.start()
    pressed.wait(10)
    released.set()
    for t in threads:
        t.join(30)
    assert order == ["press answered", "job starts"]


def test_without_presses_a_job_starts_at_once_and_a_long_press_never_blocks_it():
    jobs.yield_to_presses(quiet=0.0, limit=30)  # nothing pressed: returns
    done = threading.Event()
    with jobs.pressing():
        worker = threading.Thread(target=lambda: (jobs.yield_to_presses(limit=0.05),
                                                  done.set()))
        worker.start()
        worker.join(30)
        assert done.is_set(), "the hold is bounded even while a press runs"
