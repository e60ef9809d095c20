"""Benchmark: the `official` editor's per-keystroke check, save formatting, window refresh.

Prints figures; asserts nothing. Target: a keystroke check (copy + set + validate) well
under 50 ms on a large archive, so checking as you type never lags. The window refresh is
measured only when a display is available (e.g. DISPLAY=:99 under Xvfb).

    .venv/bin/python benchmarks/bench_official.py
"""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cams_module.editor.document import ArchiveDocument, load_document  # noqa: E402
from cams_module.editor.fields import parse_scalar  # noqa: E402
from cams_module.schema import load_schema_set  # noqa: E402

RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
EXAMPLE = ROOT / "tests" / "data" / "plugin-example-2.0.0"


def big_rie(steps: int) -> dict:
    return {"data": {"m_def": RIE, "name": "big", "etching_steps": [
        {"name": f"etch {i}", "chamber_pressure": 0.05, "duration": 5.5,
         "fluximeters": [{"name": "Ar"}, {"name": "O2"}]} for i in range(steps)]}}


def per_call(fn, repeat: int) -> float:
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) / repeat * 1000


def keystroke(doc: ArchiveDocument, path: str, text: str) -> None:
    value = parse_scalar(text, doc.quantity(path))
    trial = ArchiveDocument(copy.deepcopy(doc.archive), doc.schemas, doc.path, scratch=True)
    trial.set(path, value)
    trial.problems()
    trial.warnings()


def main() -> None:
    schemas = load_schema_set("fabrication-utilities-2.0")
    drying = load_document(EXAMPLE / "Prova_drying.archive.json")
    path = "data.rinsing_drying_steps[0].duration"
    print(f"keystroke check, Prova_drying (9 kB): "
          f"{per_call(lambda: keystroke(drying, path, '2 min'), 200):.2f} ms")
    for n in (10, 200):
        doc = ArchiveDocument(big_rie(n), schemas)
        p = f"data.etching_steps[{n - 1}].chamber_pressure"
        print(f"keystroke check, RIE with {n} etching steps: "
              f"{per_call(lambda d=doc, p=p: keystroke(d, p, '30 mtorr'), 50):.2f} ms")
        print(f"JSON in the exporter's order, {n} etching steps: "
              f"{per_call(doc.to_json, 50):.2f} ms")
        print(f"unsaved-marker check (text compare), {n} etching steps: "
              f"{per_call(lambda d=doc: d.modified, 50):.2f} ms")
    if os.environ.get("DISPLAY"):
        import tkinter as tk

        from cams_module.editor.tk_app import Dialogs, EditorApp

        t = time.perf_counter()
        root = tk.Tk()
        app = EditorApp(root, Dialogs(confirm=lambda *_: True))
        app.open_path(EXAMPLE / "Prova_cleaning.archive.json")
        root.update()
        print(f"window open with Prova_cleaning: {(time.perf_counter() - t) * 1000:.0f} ms")
        app.set_document(ArchiveDocument(big_rie(200), schemas))
        print(f"window refresh (tree + validation), 200 etching steps: "
              f"{per_call(lambda: (app.refresh(), root.update()), 10):.1f} ms")
        steps = ("data", "etching_steps", 199, "chamber_pressure")
        values = iter(range(10_000))
        print(f"window: store one typed value (row update + validation), 200 etching steps: "
              f"{per_call(lambda: (app.commit(steps, next(values)), root.update()), 20):.1f} ms")
        root.destroy()
    else:
        print("window refresh: skipped (no DISPLAY)")


if __name__ == "__main__":
    main()
