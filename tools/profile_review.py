"""Write the facility expert's review table of a mapping profile's uncertain targets.

    .venv/bin/python tools/profile_review.py [PROFILE_NAME] [-o docs/profile-2.0-review.md]

The table is generated from the profile JSON so it cannot drift from it; a test compares
the committed document with ``render()``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "cams_module" / "cams2nomad" / "profiles"
DEFAULT = "fabrication-utilities-2.0"
DOCS = {DEFAULT: ROOT / "docs" / "profile-2.0-review.md"}


def load_profile(name: str) -> dict:
    """The profile JSON ``name`` as a dict."""
    return json.loads((PROFILES / f"{name}.json").read_text(encoding="utf-8"))


def parts(step_type: dict) -> list[dict]:
    """The NOMAD entries a CAMS step type becomes: its "entries", or the type itself."""
    return step_type.get("entries") or [step_type]


def uncertain_rows(profile: dict) -> list[tuple[str, str, str, str]]:
    """(CAMS type, `CAMS field` or constant, target path, note) of every uncertain entry."""
    rows = []
    for type_name, step_type in profile["step_types"].items():
        for part in parts(step_type):
            for entry in part["quantities"]:
                if not entry.get("uncertain"):
                    continue
                source = entry.get("field")
                if source is None:
                    source = f"constant {json.dumps(entry.get('constant'))}"
                else:
                    source = f"`{source}`"
                rows.append((type_name, source, entry["target"], entry.get("note", "")))
        not_done = step_type.get("not_done_in")
        if not_done and not_done.get("uncertain"):
            switches = ", ".join(f"`{p['when']}`" for p in parts(step_type) if p.get("when"))
            rows.append((type_name, f"switches {switches} when not Yes", not_done["target"],
                         not_done.get("note", "")))
    return rows


def split_rows(profile: dict) -> list[tuple[str, str, str]]:
    """(CAMS type, its NOMAD entries in order, why) of every type that becomes several."""
    rows = []
    for type_name, step_type in profile["step_types"].items():
        if "entries" not in step_type:
            continue
        listed = []
        for i, part in enumerate(step_type["entries"], start=1):
            cls = part["m_def"].rsplit(".", 1)[-1]
            text = f"{i}. {part['part']}: `{cls}`"
            if part.get("kind") == "calculation":
                text += " (calculation, not a step)"
            if part.get("when"):
                text += f" — only when `{part['when']}` is Yes"
            if part.get("note"):
                text += f" — {part['note']}"
            listed.append(text)
        rows.append((type_name, "<br>".join(listed), step_type.get("note", "")))
    return rows


def kept_rows(profile: dict) -> list[tuple[str, str, str]]:
    """(CAMS type, CAMS field, why no 2.0 quantity holds it) of the values kept in notes."""
    return [(type_name, field, reason)
            for type_name, step_type in profile["step_types"].items()
            for field, reason in step_type.get("kept_in_notes", {}).items()]


def class_note_rows(profile: dict) -> list[tuple[str, str, str]]:
    """(CAMS type, m_def, note) of the single-entry step types whose class carries a note."""
    return [
        (type_name, st["m_def"], st["note"])
        for type_name, st in profile["step_types"].items()
        if st.get("note") and "entries" not in st
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(profile: dict) -> str:
    """The review document (Markdown) for ``profile``."""
    name = profile["profile"]
    lines = [
        f"# Profile `{name}`: targets for the facility expert to confirm",
        "",
        f"Generated from `cams_module/cams2nomad/profiles/{name}.json` by "
        "`tools/profile_review.py`; do not edit by hand (a test checks it matches the profile).",
        "",
        f"Target plugin: {profile['target_plugin']}. Each row is a mapping entry marked "
        '`"uncertain": true`: the CAMS value lands at the target path, but whether that '
        "quantity means the same thing as the CAMS field is a judgement an expert should "
        "confirm (or correct in the profile). CAMS fields that no entry takes are never lost: "
        "the exporter keeps them in the step's `notes` as `field: value` lines and lists them "
        "in the export report.",
    ]
    if profile.get("description"):
        lines += ["", profile["description"].replace("*", "\\*")]
    lines += [
        "",
        "## Uncertain targets",
        "",
        "| CAMS step type | CAMS field | target path | why uncertain |",
        "|---|---|---|---|",
    ]
    for type_name, source, target, note in uncertain_rows(profile):
        lines.append(
            f"| {_cell(type_name)} | {_cell(source)} | `{_cell(target)}` | {_cell(note)} |"
        )
    classes = class_note_rows(profile)
    if classes:
        lines += [
            "",
            "## Class choices to confirm",
            "",
            "| CAMS step type | class | why |",
            "|---|---|---|",
        ]
        for type_name, m_def, note in classes:
            lines.append(f"| {_cell(type_name)} | `{m_def}` | {_cell(note)} |")
    splits = split_rows(profile)
    if splits:
        lines += [
            "",
            "## CAMS steps that become several NOMAD entries",
            "",
            "Each CAMS step of these types becomes the NOMAD entries listed, in this order; the "
            "process lists the steps in order (its `steps`) and names the calculations in its "
            "notes. Each entry's name says which CAMS step it comes from, e.g. "
            "`Lithography M1: soft bake (CAMS step 5, Track)`. An entry marked \"only when\" is "
            "written only when that CAMS field says Yes; otherwise no entry is written, the "
            "CAMS answer is named in the first entry's keywords (`not_done_in`) and the values "
            "recorded for that sub-step stay in its notes, with that reason and a warning. "
            "A calculation (DepositionRate, EtchingRate) "
            "refers to its step and is written only when all its CAMS values are given; NOMAD "
            "computes the rate.",
            "",
            "| CAMS step type | NOMAD entries | why |",
            "|---|---|---|",
        ]
        for type_name, listed, note in splits:
            lines.append(f"| {_cell(type_name)} | {listed} | {_cell(note)} |")
    judgements = profile.get("judgements") or []
    if judgements:
        lines += [
            "",
            "## Judgements: what no 2.0 quantity can hold truthfully",
            "",
            "| about | judgement |",
            "|---|---|",
        ]
        for one in judgements:
            lines.append(f"| {_cell(one['about'])} | {_cell(one['judgement'])} |")
    kept = kept_rows(profile)
    if kept:
        lines += [
            "",
            "## CAMS values kept in notes",
            "",
            "No quantity of the target plugin can hold these; the exporter keeps them in the "
            "step's `notes` and lists them, with this reason, in the export report.",
            "",
            "| CAMS step type | CAMS field | why no quantity holds it |",
            "|---|---|---|",
        ]
        for type_name, field, reason in kept:
            lines.append(f"| {_cell(type_name)} | `{_cell(field)}` | {_cell(reason)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", default=DEFAULT)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    out = args.output or DOCS.get(args.profile)
    text = render(load_profile(args.profile))
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
