"""Load: 20 CAMS users press Upload FAIR on 50 different processes at once.

Builds the CAMS task (sqlite, or `--db postgres`: a throwaway cluster on 127.0.0.1), adds
20 Researcher users and 50 two-step processes (jam.py's own user table, the task's own
process writer), starts the local NOMAD stand-in and a jam.py server, and fires all 50
presses through jam.py's HTTP `/api` at the same moment (one thread per press, each with
its owner's logged-in session). Prints the button latency (click to "queued" reply) p50 and
p95 (target: p95 < 100 ms) and how long until every process was processed.

    .venv/bin/python -m benchmarks.bench_load [--users 20] [--processes 50] [--workers 4]
                                              [--db sqlite|postgres]

`tests/test_load_upload_fair.py` runs the same scenario and asserts correctness only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.burst import Call, api_body, close, fire, server_result  # noqa: E402
from benchmarks.cpu_use import CpuMeter  # noqa: E402
from tests.fixtures.cams_task import (  # noqa: E402
    CamsBuild,
    CamsServer,
    CamsSession,
    build_task,
    nomad_env,
    run_in_task,
)
from tests.fixtures.nomad_server import StandinProcess  # noqa: E402

DEMO = json.loads((REPO / "task" / "demo" / "processes.json").read_text("utf-8"))["processes"]
TEMPLATE = next(d for d in DEMO if d["process"]["name"] == "Quick-Clean")
DONE = ("processed", "failed", "published")

ADD_USERS_AND_PROCESSES = """
from cams_module.lims.writer import write_process_document
spec = json.loads(open({spec_path!r}, encoding='utf-8').read())
roles = app.admin.sys_roles.copy(handlers=False)
roles.open()
role_ids = {{r.f_name.value: r.id.value for r in roles}}
users = app.admin.sys_users.copy(handlers=False)
users.open(open_empty=True)
for login, password in spec["users"].items():
    users.append()
    users.f_name.value = login
    users.f_login.value = login
    users.f_password.value = password
    users.f_role.value = role_ids[spec["role"]]
    users.f_admin.value = False
    users.post()
users.apply()
result = {{doc["process"]["name"]: write_process_document(task, doc)
          for doc in spec["processes"]}}
"""


def load_document(index: int, owner: str, steps: int = 0) -> dict:
    """A process named `Load-<index>`, owned by `owner`: the Quick-Clean demo's steps
    (with `steps`, repeated to that many steps)."""
    doc = json.loads(json.dumps(TEMPLATE))
    doc["process"].update(name=f"Load-{index:03d}", owner=owner)
    if steps:
        base = doc["steps"]
        doc["steps"] = [json.loads(json.dumps(base[i % len(base)])) for i in range(steps)]
        for position, step in enumerate(doc["steps"], 1):
            step["position"] = position
            step["name"] = f"{step.get('name') or 'step'} {position}"
    for step in doc["steps"]:
        step["operator"] = owner
    return doc


@dataclass
class LoadTask:
    """A built task extended with the load users and processes."""

    build: CamsBuild
    owners: dict[int, str]  # process id -> owner login
    names: dict[int, str]  # process id -> process name


def extend_task(build: CamsBuild, folder: Path | None, users: int = 20,
                processes: int = 50, password: str = "", steps: int = 0) -> LoadTask:
    """Copy `build` into `folder` (None: extend in place, e.g. a PostgreSQL build) and
    add `users` Researchers and `processes` processes owned round-robin by them."""
    if folder is not None:
        shutil.copytree(build.path, folder)
        build = CamsBuild(folder, json.loads(json.dumps(build.info)))
    logins = {f"load.user{i:02d}": password or f"pw-{i:02d}-{time.time_ns() % 99991}"
              for i in range(1, users + 1)}
    owner_of = list(logins)
    docs = [load_document(i, owner_of[i % users], steps) for i in range(processes)]
    spec_path = build.path / "load-spec.json"  # too long for a command line
    spec_path.write_text(json.dumps({"users": logins, "role": "Researcher",
                                     "processes": docs}), encoding="utf-8")
    ids = run_in_task(build.path, ADD_USERS_AND_PROCESSES.format(spec_path=str(spec_path)))
    spec_path.unlink()
    for login, pw in logins.items():
        build.info["users"][login] = {"password": pw, "role": "Researcher"}
    owners = {pid: docs[i]["process"]["owner"] for i, pid in enumerate(ids.values())}
    return LoadTask(build, owners, {pid: name for name, pid in ids.items()})


def clone_session(session: CamsSession) -> CamsSession:
    """Another HTTP connection carrying the same logged-in jam.py session."""
    clone = CamsSession.__new__(CamsSession)
    clone.server = session.server
    clone.login_name = session.login_name
    clone.http = requests.Session()
    clone.http.cookies.update(session.http.cookies)
    return clone


@dataclass
class Press:
    """One press of Upload FAIR: the reply and how long the button took."""

    process_id: int
    login: str
    reply: Any = None
    error: str = ""
    seconds: float = 0.0


@dataclass
class LoadResult:
    """Every press, the final states and how long it took until all were done."""

    presses: list[Press]
    states: dict[int, dict] = field(default_factory=dict)
    until_done: float = 0.0
    cpu: CpuMeter = field(default_factory=CpuMeter)  # during the burst (light client)
    burst_s: float = 0.0  # from the first press written to the last reply read

    @property
    def latencies_ms(self) -> list[float]:
        return sorted(p.seconds * 1000 for p in self.presses)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of sorted `values`, nearest rank."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(q / 100 * len(values) + 0.5)))
    return sorted(values)[rank - 1]


def _press_threads(sessions: dict[str, CamsSession], presses: list[Press]) -> None:
    """The heavy client: one thread and `requests` session per press, released together."""
    clones = [clone_session(sessions[p.login]) for p in presses]
    barrier = threading.Barrier(len(presses), timeout=120)

    def press(p: Press, session: CamsSession) -> None:
        t0 = time.perf_counter()
        try:
            session.state(p.process_id)  # warm the connection, as a browser would be
            barrier.wait()
            t0 = time.perf_counter()
            p.reply = session.call("processes", "upload_fair", p.process_id)
        except Exception as err:  # noqa: BLE001 - recorded and asserted by the caller
            p.error = f"{type(err).__name__}: {err}"
        p.seconds = time.perf_counter() - t0

    threads = [threading.Thread(target=press, args=(p, s)) for p, s in zip(presses, clones,
                                                                        strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)


def _press_light(server: CamsServer, sessions: dict[str, CamsSession],
                 presses: list[Press], meter: CpuMeter) -> None:
    """The light client (`burst`): every press written at once from one thread."""
    item = server.items["processes"]
    calls = [Call(cookies=dict(sessions[p.login].http.cookies),
                  body=api_body(server.task_id, item, "upload_fair", p.process_id),
                  warm_body=api_body(server.task_id, item, "nomad_state", p.process_id))
             for p in presses]
    try:
        fire(server.url, calls, meter=meter)
    finally:
        close(calls)
    for p, call in zip(presses, calls, strict=True):
        p.reply, p.error = server_result(call)
        p.seconds = call.seconds


def press_all(server: CamsServer, owners: dict[int, str], timeout: float = 180,
              client: str = "light", leaders: dict[int, str] | None = None) -> LoadResult:
    """Log the owners in, press Upload FAIR on every process at once (`client`: "light",
    one thread writing every press, or "threads", a thread per press), wait until done.
    `leaders`: see `cpu_use.snapshot` (the light client measures CPU per role)."""
    sessions = {login: server.login(login) for login in sorted(set(owners.values()))}
    presses = [Press(pid, login) for pid, login in sorted(owners.items())]
    t0 = time.perf_counter()
    result = LoadResult(presses, cpu=CpuMeter(leaders or {}))
    if client == "threads":
        _press_threads(sessions, presses)
    else:
        _press_light(server, sessions, presses, result.cpu)
    result.burst_s = max(p.seconds for p in presses)
    watcher = next(iter(sessions.values()))
    end = time.monotonic() + timeout
    pending = set(owners)
    while pending and time.monotonic() < end:
        for pid in sorted(pending):
            state = sessions[owners[pid]].state(pid)
            if state["status"] in DONE:
                result.states[pid] = state
                pending.discard(pid)
        if pending:
            time.sleep(0.2)
    for pid in pending:
        result.states[pid] = watcher.state(pid)
    result.until_done = time.perf_counter() - t0
    return result


def press_one_by_one(server: CamsServer, owners: dict[int, str], count: int = 10,
                     timeout: float = 60) -> list[float]:
    """Press `count` processes one after another, each alone (the previous job done);
    return the click-to-queued seconds of each press."""
    seconds = []
    for pid, login in sorted(owners.items())[:count]:
        session = server.login(login)
        session.state(pid)
        t0 = time.perf_counter()
        session.call("processes", "upload_fair", pid)
        seconds.append(time.perf_counter() - t0)
        session.wait_status(pid, DONE, timeout)
    return seconds


def standin_uploads(nomad: StandinProcess) -> list[dict]:
    """Every upload the stand-in holds for its lab user (name, id, status, published)."""
    token = nomad.token()
    reply = requests.get(f"{nomad.url}/uploads", params={"page_size": 10000},
                         headers={"Authorization": f"Bearer {token}",
                                  "Accept": "application/json"}, timeout=30)
    reply.raise_for_status()
    return reply.json()["data"]


def run(users: int = 20, processes: int = 50, workers: int = 2, db: str = "sqlite",
        web_workers: int = 0, worker_procs: int = 1, steps: int = 0,
        processing_delay: float = 0.2, alone: bool = True, client: str = "light") -> dict:
    """Build (sqlite, or a throwaway PostgreSQL cluster with `db="postgres"`, reached
    through its Unix socket, or `"postgres-tcp"`, through 127.0.0.1), start the
    web server (jam.py's own, or gunicorn with `web_workers` processes) and
    `worker_procs` NOMAD worker processes of `workers` threads, press, and return the
    figures (p50/p95 ms, seconds until done); `client`: see `press_all`."""
    with tempfile.TemporaryDirectory(prefix="cams-load-") as tmp:
        root = Path(tmp)
        cluster = None
        server = None
        nomad = None
        try:
            if db in ("postgres", "postgres-tcp"):
                from tests.fixtures.postgres import start_cluster

                cluster = start_cluster()
                args, env = cluster.build_args(cluster.create_database(),
                                               socket=db == "postgres")
                build = build_task(root / "build", [*args, "--no-demo"], env)
                task = extend_task(build, None, users, processes, steps=steps)
            else:
                build = build_task(root / "build", ["--no-demo"])
                task = extend_task(build, root / "loaded", users, processes, steps=steps)
            nomad = StandinProcess(root / "nomad", processing_delay=processing_delay,
                                   extra_args=["--upload-limit", "100000"])
            server = CamsServer(task.build, root / "server",
                                {**nomad_env(nomad), "CAMS_NOMAD_WORKERS": str(workers)},
                                workers=worker_procs, web_workers=web_workers)
            time.sleep(1.0)  # every web process has loaded the task
            uptime = os.getloadavg()[0]
            leaders = {server.proc.pid: "web", nomad.proc.pid: "stand-in",
                       **{w.pid: "workers" for w in server.workers}}
            if cluster is not None:
                leaders[cluster.postmaster_pid()] = "postgres"
            result = press_all(server, task.owners, client=client, leaders=leaders)
            alone_ms = sorted(s * 1000 for s in press_one_by_one(server, task.owners, 10)) \
                if alone else []
        finally:
            if server is not None:
                server.stop()
            if nomad is not None:
                nomad.stop()
            if cluster is not None:
                cluster.stop()
                shutil.rmtree(cluster.folder, ignore_errors=True)
    alone = alone_ms
    lat = result.latencies_ms
    processed = sum(1 for s in result.states.values() if s["status"] == "processed")
    return {"users": users, "processes": processes, "workers": workers, "db": db,
            "web_workers": web_workers, "worker_procs": worker_procs,
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95),
            "max_ms": lat[-1] if lat else float("nan"),
            "errors": sum(1 for p in result.presses if p.error or not (p.reply or {})
                          .get("ok")),
            "processed": processed, "until_done_s": result.until_done,
            "alone_p50_ms": percentile(alone, 50), "alone_p95_ms": percentile(alone, 95),
            "alone_presses": len(alone), "load": uptime, "client": client,
            "cpu_ms": dict(result.cpu.used_ms), "server_cpu_ms": result.cpu.server_ms(),
            "burst_ms": result.burst_s * 1000}


def main(argv: list[str] | None = None) -> int:
    """Print the load figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--processes", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="threads per worker process")
    parser.add_argument("--worker-procs", type=int, default=1)
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn processes")
    parser.add_argument("--db", choices=("sqlite", "postgres", "postgres-tcp"),
                        default="sqlite", help="postgres: through its Unix socket, as "
                        "from the same host; postgres-tcp: through 127.0.0.1")
    parser.add_argument("--client", choices=("light", "threads"), default="light",
                        help="light: one thread writes every press (benchmarks.burst); "
                             "threads: a thread and requests session per press")
    args = parser.parse_args(argv)
    f = run(args.users, args.processes, args.workers, args.db, args.web_workers,
            args.worker_procs, client=args.client)
    print(f"bench_load: {f['users']} users press Upload FAIR on {f['processes']} processes "
          f"at once ({f['web_workers'] or 'one'} web process(es), {f['worker_procs']} "
          f"worker process(es) x {f['workers']} threads, {f['db']}, {f['client']} client, "
          f"load average {f['load']:.1f} before the burst)")
    print(f"  click-to-queued latency p50    {f['p50_ms']:.1f} ms")
    print(f"  click-to-queued latency p95    {f['p95_ms']:.1f} ms   (target < 100 ms)")
    print(f"  slowest press                  {f['max_ms']:.1f} ms")
    print(f"  one press alone p50 / p95      {f['alone_p50_ms']:.1f} / {f['alone_p95_ms']:.1f} ms"
          f"   ({f['alone_presses']} presses, re-uploads)")
    print(f"  refused or failed presses      {f['errors']}")
    print(f"  processed                      {f['processed']} / {f['processes']}")
    print(f"  until every process was done   {f['until_done_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
