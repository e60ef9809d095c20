"""The job queue (Huey): web processes enqueue a job's next step, workers run it.

By default the queue is a SQLite file beside the task's database (`nomad-queue.sqlite`
in the task folder), so the demo and a small facility need nothing new. With
`CAMS_NOMAD_QUEUE=redis://host:port/db` the queue lives in Redis, for workers on several
machines. A message carries only (job id, ticket); the job row in CAMS is the truth
(`leases`), so a lost, duplicated or late message never runs a job twice.

A step due later (a look at NOMAD's processing in 0.5 s) is put in Huey's schedule, which
survives a worker's death; Huey's own scheduler only looks at it once a second, so the
worker that scheduled it also wakes at its due time and moves what is due to the queue
(`_Waker`), and idle worker threads look at the queue at least every 0.1 s: a delay of
0.5 s is 0.5 s, not "the next whole second". A worker runs a step once the presses
arriving in that moment are answered (`press_gate`).
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.storage import SqliteStorage
from huey.utils import normalize_time

from cams_module.lims import connections, press_gate
from cams_module.lims.write_lock import ensure_wal, sqlite_writer

log = logging.getLogger("cams_module.lims.queue")

QUEUE_FILE = "nomad-queue.sqlite"
TASK_NAME = "cams_nomad_step"

#: set by the worker process: runs one step, returns (next ticket, delay) or None
_runner: Callable[[int, str], tuple[str, float] | None] | None = None
_served: Any = None
_presses = True  # this process queues presses (a web process); False in a worker
_waker: _Waker | None = None
_gate: Path | None = None  # a worker's task folder: its steps let presses go first
_queues: dict[str, tuple[Any, Any]] = {}
_lock = threading.Lock()
#: idle worker threads look at the queue at most this far apart (seconds)
IDLE_POLL = 0.1


class QueueError(RuntimeError):
    """The queue cannot be reached or is misconfigured; the message says which."""


def queue_setting() -> str:
    """The configured queue (env CAMS_NOMAD_QUEUE): empty for the SQLite file."""
    return (os.environ.get("CAMS_NOMAD_QUEUE") or "").strip()


def describe(task_dir: str | Path) -> str:
    """Where the queue lives, for logs and the worker's ready line (no password)."""
    setting = queue_setting()
    if setting.startswith(("redis://", "rediss://", "unix://")):
        rest = setting.split("://", 1)[1]
        return setting.split("://", 1)[0] + "://" + rest.rsplit("@", 1)[-1]
    return str(Path(task_dir).resolve() / QUEUE_FILE)


def _make(task_dir: str | Path) -> Any:
    setting = queue_setting()
    name = os.environ.get("CAMS_NOMAD_QUEUE_NAME") or "cams-nomad"
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name=name, url=setting, results=False)
    if setting:
        raise QueueError(f"CAMS_NOMAD_QUEUE={setting!r} is not a redis:// URL; leave it "
                         "empty for the SQLite queue beside the task's database.")
    # no fsync per message: a message lost in a power cut is queued again by the sweep
    return SqliteHuey(name=name, filename=str(Path(task_dir).resolve() / QUEUE_FILE),
                      results=False, timeout=30, fsync=False, storage_class=_TurnStorage)


class _TurnStorage(SqliteStorage):
    """Huey's SQLite queue whose writes take turns on a lock file, a press's before a
    worker's (`write_lock`): a writer that finds the file locked otherwise sleeps in
    SQLite's busy handler (1, 2, 5, 10 … ms) while a niced worker holds it."""

    @contextmanager
    def db(self, commit: bool = False, close: bool = False) -> Iterator[Any]:
        if not commit:
            with super().db(commit, close) as cursor:
                yield cursor
            return
        with sqlite_writer(self.filename, urgent=_presses), \
                super().db(commit, close) as cursor:
            yield cursor


def _step(job_id: int, ticket: str) -> None:
    """The queued function: run one step of the job, then queue the next (with delay)."""
    if _runner is None:
        raise QueueError("a CAMS job step reached a process that is not a worker")
    if _gate is not None:
        press_gate.hold_back(_gate)  # the presses arriving now go first
    following = _runner(job_id, ticket)
    if following is not None:
        next_ticket, delay = following
        due = time.monotonic() + delay
        huey = _served.huey  # straight into the schedule (not via the queue)
        huey.add_schedule(_served.task_class((job_id, next_ticket), {}, eta=normalize_time(
            delay=max(0.0, delay), utc=huey.utc)))
        if _waker is not None:
            _waker.wake_at(due)


class _Waker:
    """A thread of the worker process that moves the due steps of Huey's schedule to
    the queue at the times this process scheduled them (Huey's scheduler, once a second,
    stays the safety net for every other case)."""

    def __init__(self, huey: Any):
        self.huey = huey
        self.due: list[float] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._run, name="cams-nomad-waker", daemon=True).start()

    def wake_at(self, when: float) -> None:
        """Move what is due to the queue at monotonic time `when`."""
        with self.changed:
            heapq.heappush(self.due, when)
            self.changed.notify()

    def _run(self) -> None:
        while True:
            with self.changed:
                while not self.due or self.due[0] > time.monotonic():
                    self.changed.wait(self.due[0] - time.monotonic() if self.due else None)
                while self.due and self.due[0] <= time.monotonic():
                    heapq.heappop(self.due)
            time.sleep(0.002)  # Huey's due time is wall-clock: a hair later is due
            try:
                for task in self.huey.read_schedule():
                    self.huey.enqueue(task)
            except Exception:  # the queue is away: Huey's scheduler tries again
                log.warning("due job steps not moved to the queue", exc_info=True)


def get_queue(task_dir: str | Path) -> tuple[Any, Any]:
    """(Huey instance, step task) for the task in `task_dir` (one per process)."""
    fast = f"{task_dir}|{queue_setting()}"
    found = _queues.get(fast)
    if found is not None:
        return found
    key = f"{Path(task_dir).resolve()}|{queue_setting()}"
    with _lock:
        if key not in _queues:
            huey = _make(task_dir)
            _queues[key] = (huey, huey.task(name=TASK_NAME, retries=0)(_step))
        _queues[fast] = _queues[key]
        return _queues[key]


def waiting_tickets(task_dir: str | Path) -> set[str] | None:
    """The tickets of every step message waiting in Huey's schedule or queue (read in
    that order, so a message moving from one to the other is seen), or None when the
    queue cannot be read."""
    try:
        huey, _step_task = get_queue(task_dir)
        messages = [*huey.scheduled(), *huey.pending()]
    except Exception:  # noqa: BLE001 - the sweep then keeps to the long timeout
        log.warning("the NOMAD job queue could not be read", exc_info=True)
        return None
    return {str(m.args[1]) for m in messages
            if getattr(m, "name", "").endswith(TASK_NAME) and len(m.args or ()) == 2}


def enqueue(task_dir: str | Path, job_id: int, ticket: str, delay: float = 0.0) -> None:
    """Queue the job's next step (the ticket was written to its row); QueueError when
    the queue cannot take it."""
    try:
        _huey, step = get_queue(task_dir)
        if delay > 0:
            step.schedule(args=(job_id, ticket), delay=delay)
        else:
            step(job_id, ticket)
        if _presses:
            press_gate.mark(task_dir)
    except QueueError:
        raise
    except Exception as err:  # redis down, sqlite file unwritable, …
        raise QueueError(f"the NOMAD job queue ({describe(task_dir)}) did not take the "
                         f"job: {type(err).__name__}: {err}") from err


def warm_up(task_dir: str | Path, task: Any = None) -> None:
    """Open the queue, load what a press needs and (with `task`) switch a SQLite CAMS
    database to WAL and open its first connections, in a web process, in the
    background — so the first presses after a start find all that done."""
    def load() -> None:
        try:
            get_queue(task_dir)[0].pending_count()  # its connection, opened now
            import_module("cams_module.button_upload_fair")
        except Exception:  # the press reports a queue problem itself
            log.warning("the NOMAD job queue could not be opened", exc_info=True)
        if task is None:
            return
        try:
            connections.warm_up(task)
            if connections.is_sqlite(task):
                with connections.connection(task) as con:
                    ensure_wal(connections.database_path(task), con)
        except Exception:  # the first press tries again
            log.warning("the CAMS database could not be prepared", exc_info=True)

    threading.Thread(target=load, name="cams-nomad-queue-warm-up", daemon=True).start()


def serve(task_dir: str | Path, runner: Callable[[int, str], tuple[str, float] | None],
          workers: int, scheduler_interval: int = 1) -> Any:
    """The Huey consumer running `runner` on `workers` threads (call `.run()`), with the
    waker of the steps it schedules (`scheduler_interval`: of Huey's own scheduler)."""
    global _runner, _served, _waker, _presses, _gate
    _runner, _presses, _gate = runner, False, Path(task_dir)
    huey, _served = get_queue(task_dir)
    _waker = _Waker(huey)
    return huey.create_consumer(workers=max(1, workers), worker_type="thread",
                                initial_delay=0.02, backoff=1.15, max_delay=IDLE_POLL,
                                scheduler_interval=scheduler_interval, periodic=False,
                                check_worker_health=True)
