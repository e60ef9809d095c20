"""The floor under the button's latency: 50 cheap server calls at once through jam.py's /api.

Same set-up as `bench_load` (20 Researcher users, 50 processes, the local NOMAD stand-in,
one jam.py server or gunicorn, every call written at the same moment by the light client
`benchmarks.burst`, each with its owner's logged-in session),
but instead of Upload FAIR each caller makes a call that does (almost) nothing:

- `nomad_state("floor")`: refused after a type check — no database access at all, only what
  jam.py's threaded Werkzeug server does per `/api` request (session, rights, dispatch);
- `nomad_state(pid)`: the cheap status poll of each process (a few reads);
- and, for comparison, Upload FAIR itself in the same repeated bursts (each round waits
  until every job is done; later rounds update the same NOMAD uploads).

These are the equivalent of the "json.dump+zip floor" beside the export figures: the
click-to-queued latency of Upload FAIR under the same burst cannot be lower than them.

    .venv/bin/python -m benchmarks.bench_load_floor [--users 20] [--processes 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import DONE, clone_session, extend_task, percentile  # noqa: E402
from benchmarks.burst import Call, api_body, close, fire, server_result  # noqa: E402
from tests.fixtures.cams_task import CamsServer, CamsSession, build_task, nomad_env  # noqa: E402
from tests.fixtures.nomad_server import StandinProcess  # noqa: E402

PRESS = "Upload FAIR (the same burst, repeated; for comparison)"


def burst(sessions: list[CamsSession], args: list[object],
          func: str = "nomad_state") -> list[float]:
    """Call `func(args[i])` from `sessions[i]`, all at the same moment (the light client
    of `bench_load`, `benchmarks.burst`); return the milliseconds each call took (a failed
    or refused call counts as NaN)."""
    server = sessions[0].server
    item = server.items["processes"]
    calls = [Call(cookies=dict(s.http.cookies),
                  body=api_body(server.task_id, item, func, arg),
                  warm_body=api_body(server.task_id, item, "nomad_state", s.warm_pid))
             for s, arg in zip(sessions, args, strict=True)]
    try:
        fire(server.url, calls)
    finally:
        close(calls)
    seconds = []
    for call in calls:
        reply, error = server_result(call)
        good = not error and (func != "upload_fair" or (reply or {}).get("ok"))
        seconds.append(call.seconds * 1000 if good else float("nan"))
    return seconds


def measure(users: int = 20, processes: int = 50, rounds: int = 5,
            db: str = "sqlite", workers: int = 4, web_workers: int = 0,
            worker_procs: int = 1) -> list[dict]:
    """Rows {case, calls, p50_ms, p95_ms, max_ms, failed}: the trivial call, the status
    poll and Upload FAIR, each fired by `processes` threads at once, `rounds` times
    (figures over all calls). `web_workers`: gunicorn processes (0: jam.py's own server);
    `worker_procs`: NOMAD worker processes of `workers` threads."""
    with tempfile.TemporaryDirectory(prefix="cams-floor-") as tmp:
        root = Path(tmp)
        build = build_task(root / "build", ["--no-demo"])
        task = extend_task(build, root / "loaded", users, processes)
        nomad = StandinProcess(root / "nomad", processing_delay=0.2,
                               extra_args=["--upload-limit", "100000"])
        server = CamsServer(task.build, root / "server",
                            {**nomad_env(nomad), "CAMS_NOMAD_WORKERS": str(workers)},
                            workers=worker_procs, web_workers=web_workers)
        time.sleep(1.0)  # every web process has loaded the task
        try:
            logged_in = {login: server.login(login)
                         for login in sorted(set(task.owners.values()))}
            pids = sorted(task.owners)
            sessions = []
            for pid in pids:
                clone = clone_session(logged_in[task.owners[pid]])
                clone.warm_pid = pid
                sessions.append(clone)
            cases = {"trivial call (nomad_state of a non-id: no database)":
                     ["floor"] * len(pids),
                     "status poll (nomad_state of each process)": list(pids)}
            cases[PRESS] = list(pids)
            rows = []
            for case, args in cases.items():
                ms: list[float] = []
                for _ in range(rounds):
                    if case == PRESS:
                        ms.extend(burst(sessions, args, "upload_fair"))
                        for session, pid in zip(sessions, pids, strict=True):
                            session.wait_status(pid, DONE, timeout=120)
                    else:
                        ms.extend(burst(sessions, args))
                good = sorted(m for m in ms if m == m)
                rows.append({"case": case, "calls": len(ms), "at_once": len(pids),
                             "users": users, "db": db, "failed": len(ms) - len(good),
                             "p50_ms": percentile(good, 50), "p95_ms": percentile(good, 95),
                             "max_ms": good[-1] if good else float("nan")})
        finally:
            server.stop()
            nomad.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the floor figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--processes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="NOMAD job threads")
    parser.add_argument("--worker-procs", type=int, default=1, help="NOMAD worker processes")
    parser.add_argument("--web-workers", type=int, default=0,
                        help="gunicorn processes (default: jam.py's own server)")
    args = parser.parse_args(argv)
    rows = measure(args.users, args.processes, args.rounds, workers=args.workers,
                   web_workers=args.web_workers, worker_procs=args.worker_procs)
    web = f"gunicorn {args.web_workers} processes" if args.web_workers else "jam.py's server"
    print(f"bench_load_floor: {args.processes} calls at once by {args.users} users through "
          f"jam.py /api ({web}), {args.rounds} rounds (sqlite)")
    for r in rows:
        print(f"  {r['case']:<58} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
              f"max {r['max_ms']:6.1f} ms  ({r['calls']} calls, {r['failed']} failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
