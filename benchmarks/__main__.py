"""The one benchmark command: `./run bench` (= `python -m benchmarks`) prints one table.

Rows: export time and peak memory (1 step, 1,000 steps, 1,000 processes x 20 steps) beside
the bare json.dump+zip floor (`bench_export.measure`); Upload FAIR click-to-queued latency
p50/p95 with 20 users pressing 50 processes at once, and for one press alone, on sqlite and
on a throwaway PostgreSQL cluster, with jam.py's single-process server + 1 worker and with
gunicorn (4 web processes) + 2 worker processes (`bench_load.run`); 50 uploads of 20-step
processes with 1 s NOMAD processing carried by 2 worker processes; upload overhead and HTTP requests
per upload against the local NOMAD stand-in (`bench_upload.measure`); the Upload FAIR
request and status poll over HTTP (`bench_upload_fair.measure`) and click-to-shown in
headless Chromium (`bench_web_ui.measure`). Every row that runs the CAMS task runs it on
the jam.py of this Python (`./run bench --jam 7`: jam.py 7). Prints figures; asserts
nothing.

    python -m benchmarks [--processes 1000]
                         [--only export,load,load-pg,upload,uploads,fair,web-ui]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Row = tuple[str, str, str, str]  # area, case, measured, beside / target


def export_rows(processes: int) -> list[Row]:
    from benchmarks.bench_export import cpu_ratio, measure, ratio

    targets = {0: "", 1: "; target < 0.5 s", 2: "; target < 10 s, memory flat"}
    rows = []
    for i, r in enumerate(measure(processes)):
        quarters = "/".join(f"{p:.1f}" for p in r["peaks_mib"])
        memory = f"peak {r['peak_mib']:.1f} MiB" + (f" ({quarters} per quarter)"
                                                     if quarters else "")
        rows.append(("export", f"{r['case']} ({r['steps']:,} steps)",
                     f"{r['export_s']:.3f} s (of it waiting for the disk {r['disk_s']:.3f} s), "
                     f"{memory}",
                     f"json.dump+zip {r['dump_zip_s']:.3f} s: {ratio(r):.2f}x "
                     f"({ratio(r, disk=False):.2f}x without the disk wait, CPU time "
                     f"{cpu_ratio(r):.2f}x"
                     f"{'; target <= 2x' if i else ''}){targets.get(i, '')}"))
    return rows


#: how the load rows name each database setting
DATABASES = {"postgres": "PostgreSQL via its Unix socket",
             "postgres-tcp": "PostgreSQL via TCP 127.0.0.1"}


def load_rows(users: int, processes: int, db: str = "sqlite") -> list[Row]:
    from benchmarks.bench_load import run

    rows: list[Row] = []
    cases = [(db, 0, 1, "jam.py single process + 1 worker"),
             (db, 4, 2, "gunicorn 4 procs + 2 workers")]
    if db == "postgres":  # through its Unix socket, as from the same host; TCP beside it
        cases.append(("postgres-tcp", 4, 2, "gunicorn 4 procs + 2 workers"))
    for db, web, procs, label in cases:
        shown = DATABASES.get(db, db)
        try:
            f = run(users, processes, workers=2, db=db, web_workers=web, worker_procs=procs)
        except BaseException as err:  # noqa: BLE001 - e.g. PostgreSQL not installed
            if db == "sqlite" or isinstance(err, KeyboardInterrupt):
                raise
            return [("button", f"{shown}: not measured", f"{type(err).__name__}: {err}"[:60],
                     "")]
        rows += [
            ("button", f"click-to-queued, {users} users x {processes} processes at once, "
             f"{shown}, {label}",
             f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms (max {f['max_ms']:.0f})",
             f"target p95 < 100 ms; {f['processed']}/{processes} processed in "
             f"{f['until_done_s']:.1f} s, {f['errors']} refused; load average "
             f"{f['load']:.1f} before the burst"),
            ("button", f"CPU used during that burst, per press, {shown}, {label}",
             _cpu_per_press(f, processes),
             f"burst {f['burst_ms']:.0f} ms x {os.cpu_count()} CPUs = "
             f"{(os.cpu_count() or 1) * f['burst_ms']:.0f} CPU ms, used: "
             + ", ".join(f"{role} {ms:.0f} ms" for role, ms in sorted(f["cpu_ms"].items()))),
            ("button", f"click-to-queued, one press alone ({f['alone_presses']} presses), "
             f"{shown}, {label}",
             f"p50 {f['alone_p50_ms']:.0f} ms, p95 {f['alone_p95_ms']:.0f} ms",
             "target < 100 ms"),
        ]
    return rows


def _cpu_per_press(f: dict, processes: int) -> str:
    """The CAMS side's CPU per press during the burst, and its parts."""
    parts = ", ".join(f"{role} {f['cpu_ms'].get(role, 0.0) / processes:.2f}"
                      for role in ("web", "postgres", "workers"))
    return f"{f['server_cpu_ms'] / processes:.2f} ms ({parts})"


def uploads_rows(processes: int = 50) -> list[Row]:
    from benchmarks.bench_load import run

    f = run(20, processes, workers=1, worker_procs=2, steps=20, processing_delay=1.0,
            alone=False)
    return [("jobs", f"{processes} uploads of 20-step processes, 1 s NOMAD processing, "
             "2 worker processes",
             f"all {f['processed']}/{processes} processed in {f['until_done_s']:.1f} s",
             "target < 10 s")]


def upload_rows() -> list[Row]:
    from benchmarks.bench_upload import measure

    rows = []
    for r in measure():
        rows.append(("upload", r["case"],
                     f"overhead {r['overhead_s']:.3f} s, {r['requests']} HTTP requests",
                     f"target < 0.3 s and < 8 requests; {r['entries']} entries, "
                     f"{r['failed_entries']} failed"))
    return rows


def _ms(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return f"p50 {ms[len(ms) // 2]:.0f} ms, p95 {ms[max(0, round(0.95 * len(ms)) - 1)]:.0f} ms"


def fair_rows(presses: int = 10) -> list[Row]:
    from benchmarks.bench_upload_fair import measure

    rows: list[Row] = []
    for r in measure(presses):
        case = f"{r['process']} ({r['steps']} steps), {len(r['press_s'])} presses"
        rows += [("button", f"Upload FAIR request over HTTP, {case}", _ms(r["press_s"]),
                  "target p95 < 100 ms"),
                 ("button", f"status poll over HTTP, {case}", _ms(r["poll_s"]), ""),
                 ("button", f"press -> {r['status']} (0.2 s NOMAD), {case}",
                  _ms(r["total_s"]), "")]
    return rows


def web_ui_rows(presses: int = 10) -> list[Row]:
    from benchmarks.bench_web_ui import measure

    f = measure(presses)
    shown = [v / 1000 for v in f["shown_ms"]]
    done = [v / 1000 for v in f["done_ms"]]
    return [("web ui", f"click -> progress shown, {presses} presses", _ms(shown),
             "what a person waits for"),
            ("web ui", f"click -> processed shown (0.2 s NOMAD), {presses} presses", _ms(done),
             "")]


def print_table(rows: list[Row]) -> None:
    """One plain-text table."""
    header: Row = ("area", "case", "measured", "beside / target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1000,
                        help="processes of 20 steps in the export case (default 1000)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--presses", type=int, default=50,
                        help="processes pressed at once in the load case (default 50)")
    parser.add_argument("--only", default="export,load,load-pg,upload,uploads,fair,web-ui",
                        help="comma-separated subset of export,load,load-pg,upload,"
                             "uploads,fair,web-ui")
    args = parser.parse_args(argv)
    parts: dict[str, Callable[[], list[Row]]] = {
        "export": lambda: export_rows(args.processes),
        "load": lambda: load_rows(args.users, args.presses),
        "load-pg": lambda: load_rows(args.users, args.presses, "postgres"),
        "upload": upload_rows,
        "uploads": uploads_rows,
        "fair": fair_rows,
        "web-ui": web_ui_rows,
    }
    rows: list[Row] = []
    started = time.perf_counter()
    for name in [p.strip() for p in args.only.split(",") if p.strip()]:
        if name not in parts:
            parser.error(f"unknown part {name!r}; choose from {', '.join(parts)}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(parts[name]())
    print(f"cams-nomad benchmarks — Python {platform.python_version()}, jam.py "
          f"{_jam_version()}, {platform.machine()}, {_cpus()} CPUs; "
          f"{time.perf_counter() - started:.0f} s")
    print_table(rows)
    return 0


def _jam_version() -> str:
    import jam

    return ".".join(str(n) for n in jam.__version__)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
