"""SIGTERM to a pytest run of this suite (CI runners, `timeout`) leaves no server running.

A child `python -m pytest` in a temporary folder uses our real fixtures (the NOMAD
stand-in, Redis, a PostgreSQL cluster) and starts a process of its own in a new session
that it never stops. Once everything is up, the child pytest gets SIGTERM:
- once, during the test or during a fixture's setup: it must end like Ctrl-C (exit code
  2, fixtures torn down);
- twice, the second while a fixture's teardown hangs: teardown is cut short, and the
  registry of tests/fixtures/child_processes.py must still stop every server at exit.
Either way every process the child started must be gone and every port closed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CONFTEST = """
pytest_plugins = ["tests.fixtures.child_processes", "tests.fixtures.nomad_server",
                  "tests.fixtures.postgres", "tests.fixtures.redis_server"]
"""

CHILD_TESTS = '''
import json, os, sys, time
from pathlib import Path
import pytest
from tests.fixtures.child_processes import spawn

HERE = Path(__file__).parent


def children() -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.fixture
def servers(nomad_server, redis_url, postgres_cluster):
    yield nomad_server, redis_url, postgres_cluster
    (HERE / "teardown-ran").write_text("yes")


@pytest.fixture
def stuck_teardown():
    yield
    (HERE / "teardown-stuck").write_text("yes")
    time.sleep(600)


def wait(servers):
    nomad, redis_url, cluster = servers
    spawn([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    ports = [int(nomad.base_url.rsplit(":", 1)[1]), int(redis_url.rsplit(":", 1)[1].split("/")[0]),
             cluster.port]
    state = {"pids": [*children(), postmaster], "ports": ports, "pg_folder": str(cluster.folder)}
    (HERE / "state.tmp").write_text(json.dumps(state))
    (HERE / "state.tmp").rename(HERE / "state.json")
    time.sleep(600)


@pytest.fixture
def held_in_setup(servers):
    wait(servers)


def test_waits(servers):
    wait(servers)


def test_setup_waits(tmp_path, held_in_setup):
    pass


def test_stuck(servers, stuck_teardown):
    wait(servers)
'''


def start_time(pid: int) -> str | None:
    """The start time of a live process (field 22 of /proc/<pid>/stat); None when the pid
    is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def alive(pid: int, started: str | None) -> bool:
    """Whether the very process `pid` (started at `started`) still runs."""
    return started is not None and start_time(pid) == started


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


def wait_for(path: Path, child: subprocess.Popen, log: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if child.poll() is not None or time.monotonic() > end:
            pytest.fail(f"the child pytest never wrote {path.name}:\n"
                        f"{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


@pytest.mark.parametrize(("name", "signals"), [
    ("test_waits", 1), ("test_setup_waits", 1), ("test_stuck", 2),
], ids=["sigterm-in-test", "sigterm-in-fixture-setup", "sigterm-twice-teardown-stuck"])
def test_sigterm_stops_every_server_the_run_started(tmp_path: Path, name: str,
                                                    signals: int) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_child.py").write_text(CHILD_TESTS)
    log = tmp_path / "child.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    seen: list[tuple[int, str | None]] = []
    state: dict = {}
    with open(log, "wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             f"--basetemp={tmp_path / 'base'}", f"test_child.py::{name}"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        wait_for(tmp_path / "state.json", child, log, 180)
        state = json.loads((tmp_path / "state.json").read_text())
        seen = [(pid, start_time(pid)) for pid in state["pids"]]
        # stand-in, Redis, the forgotten process, the postmaster (+ pg_ctl's helpers, gone)
        assert sum(1 for pid, started in seen if alive(pid, started)) >= 4, state
        assert all(port_open(port) for port in state["ports"]), state

        sent = time.monotonic()
        os.kill(child.pid, signal.SIGTERM)
        if signals == 2:
            wait_for(tmp_path / "teardown-stuck", child, log, 60)
            os.kill(child.pid, signal.SIGTERM)
        code = child.wait(90)
        took = time.monotonic() - sent
        output = log.read_text(errors="replace")
        print(f"child pytest exited {code} {took:.1f} s after SIGTERM x{signals}")

        assert "stopped by SIGTERM" in output, output[-4000:]
        if signals == 1:  # like Ctrl-C: pytest's own interrupted exit, teardown ran
            assert code == pytest.ExitCode.INTERRUPTED, output[-4000:]
            assert "Traceback" not in output, output[-4000:]
            assert (tmp_path / "teardown-ran").exists(), output[-4000:]
        else:  # teardown was cut short: the registry stopped the servers at exit
            assert not (tmp_path / "teardown-ran").exists(), output[-4000:]
        end = time.monotonic() + 10  # an orphan's reaping by init may lag a moment
        while any(alive(*one) for one in seen) and time.monotonic() < end:
            time.sleep(0.1)
        assert [pid for pid, started in seen if alive(pid, started)] == [], output[-4000:]
        assert [port for port in state["ports"] if port_open(port)] == [], output[-4000:]
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(10)
        for pid, started in seen:
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
        if state.get("pg_folder"):
            shutil.rmtree(state["pg_folder"], ignore_errors=True)
