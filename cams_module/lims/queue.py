"""The job queue (Huey): web processes enqueue a job's next step, workers run it.

By default the queue is a SQLite file beside the task's database (`nomad-queue.sqlite`
in the task folder), so the demo and a small facility need nothing new. With
`CAMS_NOMAD_QUEUE=redis://host:port/db` the queue lives in Redis, for workers on several
machines. A message carries only (job id, ticket); the job row in CAMS is the truth
(`leases`), so a lost, duplicated or late message never runs a job twice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey

log = logging.getLogger("cams_module.lims.queue")

QUEUE_FILE = "nomad-queue.sqlite"
TASK_NAME = "cams_nomad_step"

#: set by the worker process: runs one step, returns (next ticket, delay) or None
_runner: Callable[[int, str], tuple[str, float] | None] | None = None
_served: Any = None
_queues: dict[str, tuple[Any, Any]] = {}
_lock = threading.Lock()


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
                      results=False, timeout=30, fsync=False)


def _step(job_id: int, ticket: str) -> None:
    """The queued function: run one step of the job, then queue the next (with delay)."""
    if _runner is None:
        raise QueueError("a CAMS job step reached a process that is not a worker")
    following = _runner(job_id, ticket)
    if following is not None:
        next_ticket, delay = following
        _served.schedule(args=(job_id, next_ticket), delay=delay)


def get_queue(task_dir: str | Path) -> tuple[Any, Any]:
    """(Huey instance, step task) for the task in `task_dir` (one per process)."""
    key = f"{Path(task_dir).resolve()}|{queue_setting()}"
    with _lock:
        if key not in _queues:
            huey = _make(task_dir)
            _queues[key] = (huey, huey.task(name=TASK_NAME, retries=0)(_step))
        return _queues[key]


def enqueue(task_dir: str | Path, job_id: int, ticket: str, delay: float = 0.0) -> None:
    """Queue the job's next step (the ticket was written to its row); QueueError when
    the queue cannot take it."""
    try:
        _huey, step = get_queue(task_dir)
        if delay > 0:
            step.schedule(args=(job_id, ticket), delay=delay)
        else:
            step(job_id, ticket)
    except QueueError:
        raise
    except Exception as err:  # redis down, sqlite file unwritable, …
        raise QueueError(f"the NOMAD job queue ({describe(task_dir)}) did not take the "
                         f"job: {type(err).__name__}: {err}") from err


def warm_up(task_dir: str | Path) -> None:
    """Open the queue (and load what a press needs) in a web process, in the background."""
    def load() -> None:
        try:
            get_queue(task_dir)
            import_module("cams_module.button_upload_fair")
        except Exception:  # the press reports a queue problem itself
            log.warning("the NOMAD job queue could not be opened", exc_info=True)

    threading.Thread(target=load, name="cams-nomad-queue-warm-up", daemon=True).start()


def serve(task_dir: str | Path, runner: Callable[[int, str], tuple[str, float] | None],
          workers: int) -> Any:
    """The Huey consumer running `runner` on `workers` threads (call `.run()`)."""
    global _runner, _served
    _runner = runner
    huey, _served = get_queue(task_dir)
    return huey.create_consumer(workers=max(1, workers), worker_type="thread",
                                initial_delay=0.05, backoff=1.15, max_delay=0.5,
                                scheduler_interval=1, periodic=False,
                                check_worker_health=True)
