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
GENERIC_STEP = "FabricationProcessStep"  # the plugin's generic step class (last m_def part)
DOCS = {DEFAULT: ROOT / "docs" / "profile-2.0-review.md"}


def load_profile(name: str) -> dict:
    """The profile JSON ``name`` as a dict."""
    return json.loads((PROFILES / f"{name}.json").read_text(encoding="utf-8"))


def uncertain_rows(profile: dict) -> list[tuple[str, str, str, str]]:
    """(CAMS type, `CAMS field` or constant, target path, note) of every uncertain entry."""
    rows = []
    for type_name, step_type in profile["step_types"].items():
        for entry in step_type["quantities"]:
            if not entry.get("uncertain"):
                continue
            source = entry.get("field")
            if source is None:
                source = f"constant {json.dumps(entry.get('constant'))}"
            else:
                source = f"`{source}`"
            rows.append((type_name, source, entry["target"], entry.get("note", "")))
    return rows


def is_fallback(step_type: dict) -> bool:
    """True when a step type is exported as the plugin's generic step class."""
    return step_type["m_def"].rsplit(".", 1)[-1] == GENERIC_STEP


def fallback_rows(profile: dict) -> list[tuple[str, str, str]]:
    """(CAMS type, CAMS fields mapped, note) of every type exported as the generic step."""
    rows = []
    for type_name, step_type in profile["step_types"].items():
        if is_fallback(step_type):
            mapped = ", ".join(
                f"`{e['field']}` → `{e['target']}`" for e in step_type["quantities"] if "field" in e
            )
            rows.append((type_name, mapped or "none", step_type.get("note", "")))
    return rows


def class_note_rows(profile: dict) -> list[tuple[str, str, str]]:
    """(CAMS type, m_def, note) of the other step types whose class choice carries a note."""
    return [
        (type_name, st["m_def"], st["note"])
        for type_name, st in profile["step_types"].items()
        if st.get("note") and not is_fallback(st)
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
    fallbacks = fallback_rows(profile)
    if fallbacks:
        lines += [
            "",
            f"## Step types exported as the generic `{GENERIC_STEP}`",
            "",
            "Their own class cannot be loaded by the target NOMAD. The fields listed are mapped; "
            "every other CAMS field of the step goes into its `notes`.",
            "",
            "| CAMS step type | CAMS fields mapped | why |",
            "|---|---|---|",
        ]
        for type_name, mapped, note in fallbacks:
            lines.append(f"| {_cell(type_name)} | {_cell(mapped)} | {_cell(note)} |")
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
