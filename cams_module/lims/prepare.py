"""What an upload job sends: read the process, export and validate it, write the zip.

Runs in the background worker after the press has claimed the process (the web request
only checks and queues), and for the synchronous Export download. Problems come back as
Contract 8 error objects naming the step (position, name, type), the field and the value.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.profile import ProfileError, load_profile
from cams_module.export import DEFAULT_PROFILE, ExportError, export_process
from cams_module.export import write_zip as write
from cams_module.lims.reader import read_process
from cams_module.schema.yaml_package import embed, schema_mode

#: the press refuses at once when the zip folder has less room than this
MIN_FREE_BYTES = 1 << 20


def profile_name() -> str:
    """The mapping profile used for CAMS exports (env CAMS_NOMAD_PROFILE)."""

    return os.environ.get("CAMS_NOMAD_PROFILE") or DEFAULT_PROFILE


def _json_value(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def problem_errors(problems: list, document: dict) -> list[dict]:
    """Export problems as error objects naming the step (position, name, type) and field."""
    names = {s.get("id"): s.get("name") for s in document.get("steps", [])}
    errors = []
    for p in problems:
        name = names.get(p.step_id)
        if p.step_position is not None or p.step_id is not None:
            where = f"Step {p.step_position} ({name}, {p.step_type})"
        else:
            where = f"Process '{document['process'].get('name')}'"
        if p.field is not None:
            where += f", field {p.field} = {p.value!r}"
        errors.append({"step_position": p.step_position, "step_name": name,
                       "step_type": p.step_type, "field": p.field,
                       "value": _json_value(p.value), "message": f"{where}: {p.message}"})
    return errors


def export_document(task: Any, process_id: int) -> tuple[dict, Any, list[dict]]:
    """(process document, export result or None, errors) of a CAMS process."""

    try:
        document = read_process(task, process_id)
    except ValueError as err:
        return {}, None, [{"step_position": None, "step_name": None, "step_type": None,
                           "field": None, "value": None, "message": str(err)}]
    try:
        return document, export_process(document, profile=profile_name()), []
    except ExportError as err:
        return document, None, problem_errors(err.problems, document)


def safe_name(name: str) -> str:
    """A download name: ASCII letters, digits, dot, dash, underscore; never a dot-file."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "process").strip("_.")
    return safe[:100] or "process"


def write_zip(result: Any, folder: Path, name: str) -> tuple[Path, str]:
    """Write the export's zip as `folder/<safe name>.zip`; return (path, sha256 hex)."""

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_name(name)}.zip"
    write(result, path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def disk_message(err: OSError | str) -> str:
    """The sentence for a zip that could not be written on the CAMS server."""
    return (f"The export zip could not be written on the CAMS server ({err}). Free disk "
            "space there (or point TMPDIR to a folder with room) and press again; nothing "
            "was sent.")


def zip_folder_prefix() -> str:
    """Prefix of the temporary folder holding a job's zip: names this server process."""
    return f"cams-nomad-{os.getpid()}-"


def no_room() -> str | None:
    """None when the zip folder (TMPDIR) has room for a zip, else the sentence saying not
    (a cheap check the press makes before queueing anything)."""
    folder = tempfile.gettempdir()
    try:
        stat = os.statvfs(folder)
    except OSError as err:
        return disk_message(err)
    free = stat.f_bavail * stat.f_frsize
    if free < MIN_FREE_BYTES:
        return disk_message(f"only {free // 1024} KiB free in {folder}")
    return None


@dataclass
class Prepared:
    """A zip ready to send, or the reason nothing will be sent."""

    zip_path: str = ""
    files: list[str] = field(default_factory=list)
    sha256: str = ""
    #: [step id, mainfile] in position order
    step_files: list[list[Any]] = field(default_factory=list)
    #: str(step id) -> {"position", "name", "type"}
    steps: dict[str, dict] = field(default_factory=dict)
    process_file: str = ""
    #: when nothing is sent: "invalid" (data to fix) or "failed" (disk), message and errors
    outcome: str = ""
    message: str = ""
    errors: list[dict] = field(default_factory=list)
    #: where each CAMS value went (ExportReport.lineage): kept with the job's result
    lineage: dict = field(default_factory=dict)


def build_zip(document: dict, profile: str, name: str, tmpdir: str, prefix: str,
              schemas: Any = None, embedded: bool = False) -> Prepared:
    """Export, validate and zip a process document into a fresh folder `tmpdir/prefix…`
    (pure: no jam.py, so it may run in a separate process). ``schemas``: judge by these
    (the target NOMAD's) instead of the profile's shipped snapshot. ``embedded``: the zip
    carries the profile's classes as a YAML schema package (for a NOMAD without the
    facility plugin, CAMS_NOMAD_SCHEMA=embedded)."""

    process_name = document["process"].get("name") or name
    try:
        result = export_process(document, profile=profile, schemas=schemas)
        if embedded:
            result = replace(result, archives=embed(result.archives,
                                                    load_profile(profile).schemas))
    except ProfileError as err:  # the target NOMAD's plugin lacks what the profile writes
        more = f" and {len(err.problems) - 1} more" if len(err.problems) > 1 else ""
        message = (f"Not sent to NOMAD: the mapping profile {profile} does not fit the NOMAD "
                   f"it would go to ({err.problems[0]}{more}). Ask the facility's NOMAD "
                   "administrator which plugin version it runs and set CAMS_NOMAD_PROFILE "
                   "to match.")
        return Prepared(outcome="failed", message=message, errors=[
            {"step_position": None, "step_name": None, "step_type": None, "field": None,
             "value": None, "message": message}])
    except ExportError as err:
        errors = problem_errors(err.problems, document)
        message = (f"Not sent to NOMAD: process '{process_name}' has {len(errors)} problem(s) "
                   "to fix in CAMS. " + " ".join(e["message"] for e in errors))
        return Prepared(outcome="invalid", message=message, errors=errors)
    folder: Path | None = None
    try:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=tmpdir))
        zip_path, sha256 = write_zip(result, folder, name)
    except OSError as err:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        message = disk_message(err)
        return Prepared(outcome="failed", message=message, errors=[
            {"step_position": None, "step_name": None, "step_type": None, "field": None,
             "value": None, "message": message}])
    steps = {str(s["id"]): {"position": s.get("position"), "name": s.get("name"),
                            "type": s.get("type")} for s in document["steps"]}
    return Prepared(zip_path=str(zip_path), files=sorted(result.archives), sha256=sha256,
                    step_files=[[sid, f] for sid, f in result.step_files], steps=steps,
                    process_file=result.process_file, lineage=result.report.lineage())


def prepare(task: Any, process_id: int, process_name: str,
            target_schemas: Callable[[], Any] | None = None) -> Prepared:
    """Read the process from CAMS, then export, validate and zip it (`build_zip`).

    The data are judged by the shipped snapshot first (a data problem never needs NOMAD);
    then, when ``target_schemas()`` gives the receiving NOMAD's own schemas, the zip is
    rebuilt and judged by those, so it fits the plugin version that NOMAD runs. With an
    embedded schema (CAMS_NOMAD_SCHEMA=embedded) the upload carries its own classes."""
    try:
        document = read_process(task, process_id)
    except ValueError as err:
        return Prepared(outcome="invalid", message=f"Not sent to NOMAD: {err}", errors=[
            {"step_position": None, "step_name": None, "step_type": None, "field": None,
             "value": None, "message": str(err)}])
    try:
        embedded = schema_mode() == "embedded"
    except ValueError as err:  # a CAMS_NOMAD_SCHEMA the facility mistyped
        return Prepared(outcome="failed", message=f"Not sent to NOMAD: {err}", errors=[
            {"step_position": None, "step_name": None, "step_type": None, "field": None,
             "value": None, "message": str(err)}])
    ready = build_zip(document, profile_name(), process_name, tempfile.gettempdir(),
                      zip_folder_prefix(), embedded=embedded)
    if embedded:  # the upload carries its own schema: the NOMAD's plugin does not matter
        return ready
    schemas = target_schemas() if target_schemas and not ready.outcome else None
    if schemas is None:
        return ready
    shutil.rmtree(Path(ready.zip_path).parent, ignore_errors=True)
    return build_zip(document, profile_name(), process_name, tempfile.gettempdir(),
                     zip_folder_prefix(), schemas=schemas)
