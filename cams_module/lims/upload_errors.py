"""NOMAD's processing errors in CAMS words: which step (position, name, type), which field.

An entry's mainfile leads to the CAMS step (the export's step_files); an error's archive
path (e.g. `data.etching_steps[0].duration: ...`) leads back, through the mapping profile,
to the CAMS field that fed it (e.g. `time_IN`). What cannot be traced is still shown, with
the file and NOMAD's own words.
"""

from __future__ import annotations

import re
from typing import Any

from cams_module.cams2nomad.profile import load_profile
from cams_module.lims.prepare import profile_name

_PATH = re.compile(r"^(?:[\w./-]+\.archive\.json:\s*)?data\.([\w.\[\]]+)")


def error_object(message: str, step: dict | None = None, field: str | None = None) -> dict:
    """The error shape of Contract 8."""
    step = step or {}
    return {"step_position": step.get("position"), "step_name": step.get("name"),
            "step_type": step.get("type"), "field": field, "value": None, "message": message}


def cams_field(profile: Any, step_type: str | None, error: str) -> str | None:
    """The CAMS field (or process-document key) behind the archive path an error names."""
    match = _PATH.match(error.strip())
    if not match or profile is None:
        return None
    path = match.group(1)
    kind = profile.step_type(step_type) if step_type else None
    entries = kind.entries if kind else profile.process_entries
    best = None
    for entry in entries:
        if path == entry.target or path.startswith(entry.target + ".") or \
                entry.target.startswith(path + "."):
            name = entry.field or entry.source
            if name and (best is None or len(entry.target) > len(best[0])):
                best = (entry.target, name)
    return best[1] if best else None


def _profile() -> Any:
    try:

        return load_profile(profile_name())
    except Exception:  # no profile: errors are still shown, just without the field
        return None


def entry_errors(step_files: list, steps: dict, upload: Any, profile: Any = None) -> list[dict]:
    """Error objects for every failed entry (and upload-level error) of `upload`.

    `step_files`: [step id, mainfile] pairs; `steps`: str(step id) -> {position, name,
    type}.
    """
    profile = profile if profile is not None else _profile()
    step_of_file = {mainfile: steps.get(str(sid), {}) for sid, mainfile in step_files}
    errors = []
    for entry in upload.failed_entries:
        step = step_of_file.get(entry.mainfile) or \
            step_of_file.get(entry.mainfile.rsplit("/", 1)[-1])
        where = (f"Step {step['position']} ({step['name']}, {step['type']})" if step
                 else f"The process entry ({entry.mainfile})")
        reasons = entry.errors or ["failed without an error message"]
        for reason in reasons:
            field = cams_field(profile, step.get("type") if step else None, reason)
            named = f"{where}, field {field}" if field else where
            errors.append(error_object(f"{named}: NOMAD could not process it: {reason}",
                                       step, field))
    for reason in upload.errors:
        errors.append(error_object(f"NOMAD: {reason}"))
    return errors
