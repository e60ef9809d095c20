"""Benchmark: one upload of a 50-step export against the local NOMAD stand-in.

Starts `python -m cams_module.standin --processing-delay 1.0`, logs in once (warm
token), then times `upload_file` (upload, wait, entries) and prints the wall time minus
the processing delay and the number of HTTP requests the server counted.
Targets: overhead < 0.3 s, fewer than 8 requests. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_upload.py [--steps 50] [--delay 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cams_module.api_collection import NomadClient  # noqa: E402
from cams_module.nomad.config import NomadConfig  # noqa: E402

PROCESS = "schema_packages.fabrication_utilities.FabricationProcess"
CONTROL = {"X-Standin-Control": "1"}
STEP_CLASSES = [
    "schema_packages.steps.transform.thermal_process.baking.Baking",
    "schema_packages.steps.add.synthesis.coating.Spin_Coating",
    "schema_packages.steps.remove.etching.stripping.Stripping",
    "schema_packages.steps.transform.lithography.ebl.EBL",
]


def build_export_zip(path: Path, steps: int) -> str:
    """Write a `steps`-step export zip; returns how it was made."""
    try:
        return _with_exporter(path, steps)
    except Exception as err:  # noqa: BLE001 - the exporter may not be there yet
        reason = f"{type(err).__name__}"
    files = {}
    for n in range(1, steps + 1):
        files[f"step_{n:02d}.archive.json"] = {"data": {
            "m_def": STEP_CLASSES[n % len(STEP_CLASSES)], "name": f"Step {n}",
            "starting_date": "2025-03-03T10:00:00+01:00", "notes": f"benchmark step {n}"}}
    files["process.archive.json"] = {"data": {"m_def": PROCESS, "name": "Benchmark", "steps": [
        f"../upload/archive/mainfile/{f}#data" for f in sorted(files)]}}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, archive in sorted(files.items()):
            zf.writestr(name, json.dumps(archive))
    return f"{steps + 1} hand-made archive files (exporter not used: {reason})"


def _with_exporter(path: Path, steps: int) -> str:
    from cams_module.export import export_process, write_zip

    document = {
        "process": {"id": 1, "name": "Benchmark", "description": "", "owner": "bench",
                    "project": "", "start_date": "2025-03-02T09:00:00+01:00",
                    "end_date": None, "notes": ""},
        "steps": [{"id": 100 + n, "position": n, "type": "RIE PlasmaPro", "name": f"Etch {n}",
                   "date": "2025-03-03T10:00:00+01:00", "operator": "bench", "fields": {}}
                  for n in range(1, steps + 1)],
    }
    result = export_process(document)
    write_zip(result, path)
    return f"cams_module.export ({len(result.archives)} archive files)"


def start_standin(delay: float, users_file: Path) -> tuple[subprocess.Popen, str]:
    """Start the stand-in on a free port; return the process and its API URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cams_module.standin", "--port", "0",
         "--processing-delay", str(delay), "--users", str(users_file)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.terminate()
        raise SystemExit(f"the stand-in did not start: {line!r}")
    return proc, line.strip().rsplit(" ", 1)[-1]


def measure(steps: int = 50, delay: float = 1.0) -> list[dict]:
    """One row: case, zip source, entries, wall_s, overhead_s, requests (server and client)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        password = secrets.token_urlsafe(16)
        users = tmpdir / "users.json"
        users.write_text(json.dumps({"bench": password}))
        os.chmod(users, 0o600)
        zip_path = tmpdir / "export.zip"
        made = build_export_zip(zip_path, steps)
        zip_size = zip_path.stat().st_size
        proc, url = start_standin(delay, users)
        try:
            client = NomadClient(NomadConfig(url=url, username="bench", password=password))
            client.get_authentication_token()  # warm token
            stats_url = url.rsplit("/api/v1", 1)[0] + "/_standin/stats"
            before = requests.get(stats_url, headers=CONTROL, timeout=5).json()
            sent = client.http.requests_sent
            t0 = time.perf_counter()
            upload = client.upload_file(zip_path, upload_name="benchmark")
            wall = time.perf_counter() - t0
            after = requests.get(stats_url, headers=CONTROL, timeout=5).json()
            client.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return [{
        "case": f"upload {steps}-step export, {delay:g} s processing, warm token",
        "zip": made, "zip_bytes": zip_size, "entries": len(upload.entries),
        "failed_entries": len(upload.failed_entries), "wall_s": wall,
        "overhead_s": wall - delay,
        "requests": after["total_requests"] - before["total_requests"],
        "client_requests": client.http.requests_sent - sent,
    }]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--delay", type=float, default=1.0)
    args = parser.parse_args(argv)
    [row] = measure(args.steps, args.delay)
    print(f"bench_upload: {row['case']}")
    print(f"  zip                            {row['zip']}, {row['zip_bytes']} bytes")
    print(f"  entries processed              {row['entries']} ({row['failed_entries']} failed)")
    print(f"  wall time                      {row['wall_s']:.3f} s")
    print(f"  wall - processing delay        {row['overhead_s']:.3f} s   (target < 0.3 s)")
    print(f"  HTTP requests (server count)   {row['requests']}   (target < 8)")
    print(f"  HTTP requests (client count)   {row['client_requests']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
