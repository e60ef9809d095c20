"""The NOMAD worker process: runs queued job steps with the CAMS database of a task.

`cams-nomad worker --task DIR --workers N` (or `python -m cams_module.lims.worker`)
loads the jam.py task in DIR (its database settings), prints one line
`CAMS NOMAD worker ready (queue …)` and runs the queue's consumer with N threads until
SIGTERM or SIGINT. Beside it: a heartbeat thread (the leases of the jobs it holds) and a
sweep every half lease (`recovery.sweep`). Run as many workers as you like, on any host
that reaches the CAMS database and the queue. jam.py vendors Werkzeug 1.0 and changes the
working directory: run this in its own process.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from cams_module.lims import jobs, leases, queue, recovery
from cams_module.lims.jam_server import settle_heap

log = logging.getLogger("cams_module.lims.worker")

#: how much lower than the web processes a worker runs (`nice`), unless told otherwise
DEFAULT_NICE = 10


def load_task(task_dir: Path) -> Any:
    """Load the jam.py task in `task_dir` in this process; its `task` object."""
    import jam.wsgi  # here, not at the top: puts jam's vendored Werkzeug 1.0 on sys.path

    app = jam.wsgi.create_application(str(task_dir), testing=True)
    task = app.task
    if task is None:
        raise RuntimeError(f"the jam.py task in {task_dir} could not be loaded")
    if task.pool is None:
        task.create_pool()
    return task


def _sweeper(task: Any, task_dir: Path, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        recovery.remove_stale_zips()
        recovery.sweep(task, task_dir)
        while not stop.wait(leases.lease_seconds() / 2):
            recovery.sweep(task, task_dir)

    thread = threading.Thread(target=run, name="cams-nomad-sweep", daemon=True)
    thread.start()
    return thread


def default_nice() -> int:
    """The worker's default CPU priority step (env CAMS_NOMAD_WORKER_NICE, else 10)."""
    try:
        return int(os.environ.get("CAMS_NOMAD_WORKER_NICE") or DEFAULT_NICE)
    except ValueError:
        return DEFAULT_NICE


def lower_priority(step: int) -> None:
    """Lower this process's CPU priority by `step` (0: unchanged): on a host shared with
    the web processes, a press then wins the CPU over an export."""
    if step <= 0:
        return
    try:
        os.nice(step)
    except OSError:
        log.warning("the worker's priority could not be lowered")


def run(task_dir: Path, workers: int, nice: int | None = None) -> int:
    """Serve the queue until a stop signal; the exit code."""
    task_dir = task_dir.resolve()
    lower_priority(default_nice() if nice is None else nice)
    task = load_task(task_dir)
    settle_heap()  # a collection never pauses a worker long while it holds a write turn
    me = leases.worker_id()

    def runner(job_id: int, ticket: str) -> tuple[str, float] | None:
        return jobs.step(task, job_id, ticket, me)

    consumer = queue.serve(task_dir, runner, workers)
    stop = threading.Event()
    leases.start_heartbeat(task, stop)
    _sweeper(task, task_dir, stop)
    print(f"CAMS NOMAD worker ready (queue {queue.describe(task_dir)}, {workers} threads, "
          f"id {me})", flush=True)
    try:
        consumer.run()
    finally:
        stop.set()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="cams-nomad worker",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    return command(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's options (shared with `cams-nomad worker`)."""
    parser.add_argument("--task", type=Path, required=True,
                        help="the built jam.py task folder (its database settings)")
    parser.add_argument("--workers", type=int, default=2,
                        help="job steps run at once in this process (default 2)")
    parser.add_argument("--nice", type=int, default=None,
                        help="lower the worker's CPU priority by this much (default "
                             f"{DEFAULT_NICE}, or env CAMS_NOMAD_WORKER_NICE; 0: as started)")


def command(args: argparse.Namespace) -> int:
    """Run the worker for parsed arguments; the exit code."""
    if not (args.task / "admin.sqlite").is_file():
        print(f"{args.task} holds no jam.py task (admin.sqlite is missing).",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=os.environ.get("CAMS_NOMAD_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    try:
        return run(args.task, max(1, args.workers), getattr(args, "nice", None))
    except queue.QueueError as err:
        print(f"CAMS NOMAD worker: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
