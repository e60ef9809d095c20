"""Benchmark: schema set loading, archive validation throughput, JSON Schema export.

Prints figures; asserts nothing. Targets: cold import + load of a set well under 0.1 s;
validating a 1,000-step export a small fraction of the 0.5 s export budget.

    .venv/bin/python benchmarks/bench_schema.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cams_module.schema import load_schema_set, validate_archive  # noqa: E402

RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
EXAMPLE = ROOT / "tests" / "data" / "plugin-example-2.0.0"


def cold_load(name: str) -> float:
    code = ("import time; t = time.perf_counter(); "
            "from cams_module.schema import load_schema_set; "
            f"load_schema_set({name!r}); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return float(out.stdout)


def step_archive(i: int) -> dict:
    return {"data": {
        "m_def": RIE, "name": f"Trench etch {i}", "starting_date": "2025-03-03T10:00:00+01:00",
        "step_type": "RIE", "recipe_name": "SiO2-fast", "notes": "gas: Ar",
        "etching_steps": [{"name": "main etch", "chamber_pressure": 0.05, "duration": 5.5,
                           "fluximeters": [{"name": "Ar"}, {"name": "O2"}]}],
        "outputs": [{"job_number": i}]}}


def main() -> None:
    for name in ("fabrication-utilities-2.0", "fabrication-utilities-2025.04"):
        print(f"cold import + load {name}: {cold_load(name) * 1000:.1f} ms")
    schemas = load_schema_set("fabrication-utilities-2.0")
    archives = {f"step_{i:04d}.archive.json": step_archive(i) for i in range(1000)}
    mainfiles = set(archives)
    t = time.perf_counter()
    problems = sum(len(validate_archive(a, schemas, mainfile=n, upload_mainfiles=mainfiles))
                   for n, a in archives.items())
    took = time.perf_counter() - t
    print(f"validate 1,000 step archives: {took * 1000:.1f} ms ({problems} problems)")
    files = {p.name: json.loads(p.read_text(encoding="utf-8"))
             for p in EXAMPLE.glob("*.archive.json")}
    t = time.perf_counter()
    for _ in range(100):
        for n, a in files.items():
            validate_archive(a, schemas, mainfile=n, upload_mainfiles=set(files))
    print(f"validate the plugin example upload (9 files): "
          f"{(time.perf_counter() - t) * 10:.2f} ms per upload")
    t = time.perf_counter()
    steps = schemas.step_classes()
    for m_def in steps:
        schemas.to_jsonschema(m_def)
    print(f"to_jsonschema of {len(steps)} step classes: "
          f"{(time.perf_counter() - t) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
