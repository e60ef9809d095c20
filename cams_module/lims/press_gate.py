"""Presses first: a worker holds its next step back while Upload FAIR presses arrive.

A burst of presses (20 users at once) costs the web processes about 100 ms of CPU on a
small server. A worker that starts exporting the first queued jobs meanwhile takes CPU
from them: its own Python runs niced (`cams-nomad worker --nice`), but the database work
it causes runs in PostgreSQL's server processes at full priority. So every press that
queues a job touches a stamp file in the task folder (`nomad-presses.stamp`: its time of
last change is the time of the last press), and a worker, before it runs a step, waits
until no press has come for `QUIET` seconds — at most `LONGEST` seconds, so a steady
stream of presses never stops the workers. A worker on another host sees no stamp (or an
old one) and does not wait; a stamp from a clock far ahead is ignored. The cost: one
`utime` per press and one `stat` per step; a job starts at most `QUIET` seconds later.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STAMP = "nomad-presses.stamp"
#: a worker runs a step once no press has come for this long (seconds) ...
QUIET = 0.05
#: ... or once it has waited this long
LONGEST = 0.5
#: a stamp further ahead of this host's clock than this (seconds) is ignored
SKEW = 1.0


def stamp_path(task_dir: str | Path) -> Path:
    """The stamp file of the task in `task_dir`."""
    return Path(task_dir) / STAMP


def mark(task_dir: str | Path) -> None:
    """Note that a press queued a job now. Never fails the press: a stamp that cannot be
    written only means that the workers do not wait."""
    path = stamp_path(task_dir)
    try:
        os.utime(path)
    except FileNotFoundError:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        except OSError:
            pass
    except OSError:
        pass


def hold_back(task_dir: str | Path, quiet: float = QUIET, longest: float = LONGEST) -> float:
    """Wait until no press has been marked for `quiet` seconds, at most `longest` seconds;
    return the seconds waited."""
    path = stamp_path(task_dir)
    start = time.monotonic()
    while True:
        try:
            age = time.time() - os.stat(path).st_mtime
        except OSError:  # no press here yet (or another host's folder): nothing to wait for
            break
        left = longest - (time.monotonic() - start)
        if age >= quiet or age < -SKEW or left <= 0:
            break
        time.sleep(min(quiet - max(age, 0.0), left))
    return time.monotonic() - start
