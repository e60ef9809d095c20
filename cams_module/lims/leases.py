"""Leases on job rows: which worker runs a job, and since when it has shown life.

A job row's `worker` column says who may run the job's next step:
- `next:<ticket>` — the job waits in the queue; only the queue message carrying that
  ticket may take it (`acquire`). A stale or duplicated message finds another ticket
  and is dropped, so a job has one live message at a time.
- a worker id (`host:pid:boot`) — that worker runs a step now; its heartbeat thread
  writes `heartbeat` (POSIX time) every `lease_seconds() / 3`.

A held job whose heartbeat is older than the lease (its worker died, on any host), a
waiting job a lease overdue whose message is in neither the queue nor its schedule (a
worker took the message and died before claiming the job), or a waiting job whose
message is overdue by `queue_timeout()` (a last resort), is re-armed by any worker's
sweep (`rearm`, a conditional UPDATE) with a new ticket and enqueued again. Every step
changes the row with a conditional UPDATE, so never two workers hold one job.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from cams_module.lims.jam_compat import column_name, value_literal
from cams_module.lims.job_store import transaction

log = logging.getLogger("cams_module.lims.leases")

#: job states in which a job still has work to do ("running": rows of the old engine)
ACTIVE = ("queued", "sending", "processing", "running")
TICKET = "next:"

_held: dict[int, str] = {}
_held_lock = threading.Lock()


def lease_seconds() -> float:
    """Seconds without a heartbeat after which a job is taken over (env CAMS_NOMAD_LEASE,
    default 30)."""
    try:
        return max(1.0, float(os.environ.get("CAMS_NOMAD_LEASE") or 30))
    except ValueError:
        return 30.0


def queue_timeout() -> float:
    """Seconds a job may wait in the queue past its due time before its message counts as
    lost and it is enqueued again (env CAMS_NOMAD_QUEUE_TIMEOUT, default 600)."""
    try:
        return max(lease_seconds(), float(os.environ.get("CAMS_NOMAD_QUEUE_TIMEOUT") or 600))
    except ValueError:
        return 600.0


def worker_id() -> str:
    """A new worker id: host, process id and a random boot id (fits the 80-char column)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def new_ticket() -> str:
    """A fresh ticket: the `worker` value of a job waiting for the queue message that
    carries it."""
    return TICKET + secrets.token_hex(8)


def _sql(task: Any) -> tuple[str, str, str, str, str, Any]:
    item = task.nomad_jobs
    col = {name: column_name(item, name) for name in ("worker", "heartbeat", "state")}
    states = ", ".join(f"'{s}'" for s in ACTIVE)
    key = f'"{item._primary_key_db_field_name}"'
    return item.table_name, col["worker"], col["heartbeat"], col["state"] + \
        f" IN ({states})", key, partial(value_literal, task)


def _update(task: Any, job_id: int, worker: str, heartbeat: float, condition: str,
            params: list) -> bool:
    table, worker_col, beat_col, active, key, lit = _sql(task)
    sql = (f'UPDATE "{table}" SET {worker_col}={lit(1)}, {beat_col}={lit(2)} '
           f"WHERE {key}={int(job_id)} AND {active} AND ({condition})")
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(sql, [worker, heartbeat, *params])
        return cursor.rowcount == 1


def acquire(task: Any, job_id: int, ticket: str, worker: str) -> bool:
    """Take the job for `worker` when it waits for the message carrying `ticket`; False
    when another message or worker has it (or it is finished)."""
    _, worker_col, *_rest = _sql(task)
    lit = partial(value_literal, task)
    return _update(task, job_id, worker, time.time(), f"{worker_col}={lit(3)}", [ticket])


def later(task: Any, job_id: int, worker: str, delay: float) -> str | None:
    """Hand a job `worker` holds back to the queue, due in `delay` seconds; the new
    ticket, or None when the lease was lost meanwhile."""
    _, worker_col, *_rest = _sql(task)
    ticket = new_ticket()
    lit = partial(value_literal, task)
    if _update(task, job_id, ticket, time.time() + delay, f"{worker_col}={lit(3)}",
               [worker]):
        return ticket
    return None


def waiting(job: dict) -> bool:
    """True when the job waits for a queue message (its `worker` is a ticket)."""
    return str(job.get("worker") or "").startswith(TICKET)


def overdue(job: dict, seconds: float) -> bool:
    """True when the job's heartbeat (a waiting job's: its due time) is older than
    `seconds`."""
    beat = job.get("heartbeat")
    return beat is None or float(beat) < time.time() - seconds


def rearm(task: Any, job: dict, lost: bool = False) -> str | None:
    """Give a job whose worker is gone (heartbeat older than the lease), or whose queue
    message is overdue, a fresh ticket; the ticket to enqueue, or None when it is alive
    or another worker re-armed it first. `lost`: the job's message is in neither the
    queue nor its schedule (a worker took it and died before claiming the job), so a
    waiting job is re-armed once it is a lease overdue, not `queue_timeout()`."""
    _, worker_col, beat_col, *_rest = _sql(task)
    lit = partial(value_literal, task)
    now = time.time()
    cutoff = now - (queue_timeout() if waiting(job) and not lost else lease_seconds())
    beat = job.get("heartbeat")
    if beat is not None and float(beat) >= cutoff:
        return None
    ticket = new_ticket()
    params: list = [cutoff]
    same_worker = f"{worker_col} IS NULL"
    if job.get("worker") is not None:
        same_worker = f"{worker_col}={lit(4)}"
        params.append(job["worker"])
    stale = f"({beat_col} IS NULL OR {beat_col}<{lit(3)})"
    if _update(task, job["id"], ticket, now, f"{stale} AND {same_worker}", params):
        return ticket
    return None


@contextmanager
def holding(job_id: int, worker: str) -> Iterator[None]:
    """Mark the job as held by this process while a step runs (the heartbeat thread
    keeps its lease fresh)."""
    with _held_lock:
        _held[job_id] = worker
    try:
        yield
    finally:
        with _held_lock:
            _held.pop(job_id, None)


def beat(task: Any) -> None:
    """Write a heartbeat on every job this process holds now."""
    with _held_lock:
        held = dict(_held)
    table, worker_col, beat_col, _active, key, lit = _sql(task)
    for job_id, worker in held.items():
        sql = (f'UPDATE "{table}" SET {beat_col}={lit(1)} '
               f"WHERE {key}={int(job_id)} AND {worker_col}={lit(2)}")
        try:
            with transaction(task) as con:
                con.cursor().execute(sql, [time.time(), worker])
        except Exception:  # a busy database: the next beat tries again
            log.warning("heartbeat of job %s not written", job_id, exc_info=True)


def start_heartbeat(task: Any, stop: threading.Event) -> threading.Thread:
    """A daemon thread writing heartbeats every lease/3 seconds until `stop` is set."""
    def run() -> None:
        while not stop.wait(lease_seconds() / 3):
            beat(task)

    thread = threading.Thread(target=run, name="cams-nomad-heartbeat", daemon=True)
    thread.start()
    return thread
