"""A child server process that announces its address on one stdout line.

Used by the demo launcher for the local NOMAD stand-in, the jam.py server and the NOMAD
worker: start the child, wait for its ready line ("listening on <url>"), forward the rest
of its output with a prefix, and stop it with SIGTERM (then SIGKILL) when the demo ends.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_URL = re.compile(r"listening on (http://\S+)")
_PR_SET_PDEATHSIG = 1


class ServiceError(RuntimeError):
    """A child server did not start; the message says which and why."""


def _die_with_parent() -> None:
    """In the child (Linux): receive SIGTERM when the launcher dies, so nothing is orphaned."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


@dataclass
class Service:
    """A running child server: its name, process and announced URL."""

    name: str
    process: subprocess.Popen
    url: str
    _forwarder: threading.Thread | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def running(self) -> bool:
        """True while the child process is alive."""
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the child (SIGTERM, then SIGKILL after `timeout` seconds) and reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                print(f"{self.name} did not stop within {timeout:.0f} s; killing it.",
                      file=sys.stderr, flush=True)
                self.process.kill()
                self.process.wait(timeout)
        if self._forwarder is not None:
            self._forwarder.join(timeout)


def start_service(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    cwd: str | None = None,
    ready_line: re.Pattern[str] = _URL,
) -> Service:
    """Start `command`, wait until it prints "listening on <url>" (or a line matching
    `ready_line`, whose first group is kept as `url`), and return the Service.

    The child gets its own session (a Ctrl-C in the terminal reaches only the launcher,
    which then stops the children in order) and dies with the launcher on Linux.
    """
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        text=True,
        bufsize=1,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    found: list[str] = []
    early: list[str] = []
    ready = threading.Event()

    def forward() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not ready.is_set():
                match = ready_line.search(line)
                if match:
                    found.append(match.group(1))
                    ready.set()
                else:
                    early.append(line)
                    continue
            print(f"[{name}] {line}", end="", flush=True)
        ready.set()

    forwarder = threading.Thread(target=forward, name=f"{name}-output", daemon=True)
    forwarder.start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            break
    service = Service(name, process, found[0] if found else "", forwarder)
    if not found:
        exited = ready.is_set() or process.poll() is not None  # EOF: the child ended
        service.stop()
        tail = "".join(early[-20:]).strip()
        reason = "it exited" if exited else f"no answer in {timeout:.0f} s"
        raise ServiceError(f"{name} did not start ({reason}).\n{tail}".rstrip())
    return service


def child_env(extra: Mapping[str, str], drop: Sequence[str] = ()) -> dict[str, str]:
    """This process's environment without `drop`, plus `extra`, with unbuffered output."""
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env
