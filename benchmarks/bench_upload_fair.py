"""Benchmark: how fast the Upload FAIR request returns, and the whole job's time.

Builds the CAMS task (for the jam.py of the Python that runs it: `./run bench --jam 7`
measures jam.py 7), starts the local NOMAD stand-in (0.2 s processing) and a jam.py
server, logs in over HTTP and presses Upload FAIR repeatedly on a 10-step and a 2-step demo
process (each press waits for the job to finish; later presses update the same upload).
Prints the request time of the press (target < 100 ms: the request only checks and
queues; reading, exporting, validating and the upload happen in a worker), of the status
poll, and the time until the process is processed. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_upload_fair.py [--presses 10]
    ./run bench [--jam 7] --only fair   (the same as rows of the benchmark table)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.cams_task import CamsServer, build_task, nomad_env  # noqa: E402
from tests.fixtures.nomad_server import StandinProcess  # noqa: E402


def figures(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (f"{name:<34} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   "
            f"p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms")


def measure(presses: int = 10) -> list[dict]:
    """Press Upload FAIR `presses` times on a 10-step and a 2-step demo process (each press
    waits for the job); per process the request, poll and press-to-processed times (s)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-fair-") as tmp:
        root = Path(tmp)
        build = build_task(root / "build")
        nomad = StandinProcess(root / "nomad", processing_delay=0.2)
        server = CamsServer(build, root / "task", nomad_env(nomad))
        try:
            session = server.login("m.rossi")
            time.sleep(2.0)  # the server warms up the export profile after start
            for name in ("PicoTCDv3", "Quick-Clean"):
                pid = session.process_id(name)
                press, poll, total = [], [], []
                for _ in range(presses):
                    start = time.perf_counter()
                    reply = session.call("processes", "upload_fair", pid)
                    press.append(time.perf_counter() - start)
                    if not reply["ok"]:
                        raise RuntimeError(f"press refused: {reply['message']}")
                    while True:
                        t0 = time.perf_counter()
                        state = session.state(pid)
                        poll.append(time.perf_counter() - t0)
                        if not state["busy"]:
                            break
                        time.sleep(0.05)
                    total.append(time.perf_counter() - start)
                results.append({"process": name, "steps": len(state["steps"]),
                                "status": state["status"], "press_s": press,
                                "poll_s": poll, "total_s": total})
        finally:
            server.stop()
            nomad.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="Upload FAIR request timing")
    parser.add_argument("--presses", type=int, default=10)
    args = parser.parse_args()
    for r in measure(args.presses):
        print(f"{r['process']} ({r['steps']} steps), final status {r['status']}")
        print(f"  first press {r['press_s'][0] * 1000:.1f} ms")
        print(figures("  Upload FAIR request (HTTP)", r["press_s"]))
        print(figures("  status poll request (HTTP)", r["poll_s"]))
        print(figures("  press → processed (0.2 s NOMAD)", r["total_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
