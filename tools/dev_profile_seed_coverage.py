"""DEV-ONLY: compare a mapping profile with the seed mapping and the plugin catalogue.

Reads the read-only reference material in ../shared (absent on CI and in fresh clones), so
nothing in the product or the test suite may import it. For each seed step type it prints
the class used, how many of the seed's CAMS fields the profile maps, and which fields are left
to the step's notes; it also walks every target path through the catalogue's
``all_subsections`` -> ``section`` -> ``all_quantities``.

    .venv/bin/python tools/dev_profile_seed_coverage.py [PROFILE_NAME]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "cams2nomad-seed.json"
CATALOGUE = SHARED / "nomad" / "fabrication-utilities-2.0.0.catalogue.json"
SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\[(\d+)\])?$")


def resolve(catalogue: dict, m_def: str, path: str) -> str | None:
    """Why ``path`` does not lead from ``m_def`` to a quantity (None when it does)."""
    cls = m_def
    parts = path.split(".")
    for part in parts[:-1]:
        m = SEGMENT.match(part)
        if not m:
            return f"bad segment {part!r}"
        sub = catalogue[cls]["all_subsections"].get(m.group(1))
        if sub is None:
            return f"{cls} has no sub-section {m.group(1)!r}"
        if bool(m.group(2)) != sub["repeats"]:
            return f"{part!r}: repeats is {sub['repeats']}"
        cls = sub["section"]
    if parts[-1] not in catalogue[cls]["all_quantities"]:
        return f"{cls} has no quantity {parts[-1]!r}"
    return None


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "fabrication-utilities-2.0"
    if not SEED.is_file() or not CATALOGUE.is_file():
        print(f"reference material not found under {SHARED} (dev machines only)")
        return 1
    seed = json.loads(SEED.read_text(encoding="utf-8"))["step_types"]
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    profile_file = ROOT / "cams_module" / "cams2nomad" / "profiles" / f"{name}.json"
    profile = json.loads(profile_file.read_text(encoding="utf-8"))
    errors = 0
    missing = sorted(set(seed) - set(profile["step_types"]))
    if missing:
        print(f"seed step types missing from the profile: {missing}")
        errors += 1
    for entry in profile["process"]["quantities"]:
        why = resolve(catalogue, profile["process"]["m_def"], entry["target"])
        if why:
            print(f"process: {entry['target']}: {why}")
            errors += 1
    for type_name, step_type in profile["step_types"].items():
        m_def = step_type["m_def"]
        if m_def not in catalogue or catalogue[m_def].get("unreachable"):
            print(f"{type_name}: class {m_def} is not loadable")
            errors += 1
            continue
        for entry in profile["step"]["quantities"] + step_type["quantities"]:
            why = resolve(catalogue, m_def, entry["target"])
            if why:
                print(f"{type_name}: {entry['target']}: {why}")
                errors += 1
        seed_fields = {
            f["cams_field"] for f in seed.get(type_name, {}).get("fields", {}).values()
            if f["cams_field"]
        }
        mapped = {e["field"] for e in step_type["quantities"] if "field" in e}
        print(f"{type_name:28s} {m_def.rsplit('.', 1)[-1]:24s} maps {len(mapped & seed_fields)}"
              f"/{len(seed_fields)} seed fields; to notes: {sorted(seed_fields - mapped)}")
    print(f"{errors} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
