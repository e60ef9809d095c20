"""Process document -> NOMAD archives (one per step plus the process) -> deterministic zip.

``export_process`` collects every problem of a process (malformed document, unknown step
type, values that do not convert, missing required values) and raises one
:class:`ExportError` listing them all; then it runs the one validator on every archive, and a
problem found there (a profile bug) is an ExportError too. Nothing is written by it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

from cams_module.cams2nomad.engine import FieldProblem, MappedStep, map_section, map_step, render
from cams_module.cams2nomad.profile import DEFAULT_PROFILE, Profile, load_profile
from cams_module.export.errors import ExportError, InputProblem
from cams_module.export.lineage import (
    CALCULATIONS_HEADER,
    field_rows,
    name_parts,
    resolve_references,
    step_reference,
)
from cams_module.export.names import process_file
from cams_module.export.report import ExportReport, UncertainTarget, UnmappedField
from cams_module.schema import validate_archive

STEP_STRUCTURE = frozenset({"id", "position", "fields"})
PROCESS_STRUCTURE = frozenset({"id"})


@dataclass
class ExportResult:
    """The archives of one process, ready for :func:`write_zip` or an upload."""

    archives: dict[str, dict]
    process_file: str
    step_files: list[tuple[Any, str]]  # (CAMS step id, its main archive), in process order
    report: ExportReport
    part_files: list[tuple[Any, str]] = field(default_factory=list)  # every archive of a step


def export_process(
    document: Any,
    profile: str | Profile = DEFAULT_PROFILE,
    schemas: Any = None,
) -> ExportResult:
    """Map a process document (Contract 1) with ``profile`` and validate the archives.

    ``schemas`` replaces the profile's shipped schema set (e.g. one fetched from NOMAD).
    Raises ExportError listing every problem; returns an ExportResult otherwise.
    """
    # The mapping makes many short-lived containers and no reference cycles: the cyclic
    # collector would only rescan the loaded profiles and schemas, so it pauses meanwhile.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _export(document, profile, schemas)
    finally:
        if paused:
            gc.enable()


def _export(document: Any, profile: str | Profile, schemas: Any) -> ExportResult:
    prof = profile if isinstance(profile, Profile) else load_profile(profile, schemas)
    problems: list[InputProblem] = []
    process, steps = _shape(document, problems)
    pid, pname = process.get("id"), _text(process.get("name"))

    def problem(step: dict | None, p: FieldProblem | None, message: str | None = None) -> None:
        step = step or {}
        problems.append(InputProblem(
            process_id=pid,
            step_position=step.get("position"),
            step_id=step.get("id"),
            step_type=step.get("type") if isinstance(step.get("type"), str) else None,
            field=p.field if p else None,
            value=p.value if p else None,
            message=message or (p.message if p else ""),
            process_name=pname,
        ))

    report = ExportReport(profile=prof.name, process_id=pid)
    mapped_steps: list[tuple[dict, MappedStep]] = []
    for step in steps:
        step_type = prof.step_type(step["type"])
        if step_type is None:
            known = ", ".join(sorted(prof.step_types))
            problem(step, None, f"unknown step type {step['type']!r} for profile {prof.name}; "
                                f"known step types: {known}")
            continue
        mapped = map_step(step_type, step, STEP_STRUCTURE)
        for p in mapped.problems:
            problem(step, p)
        mapped_steps.append((step, mapped))

    proc = map_section(prof.process_m_def, prof.process_entries, process, None, PROCESS_STRUCTURE)
    for p in proc.problems:
        problem(None, p)
    if problems:
        raise ExportError(problems)

    pfile = process_file(pid, pname)
    archives: dict[str, dict] = {}
    origins: dict[str, dict] = {pfile: proc.origins}
    owners: dict[str, dict] = {}
    step_refs: list[str] = []
    calculations: list[str] = []
    main_files: list[tuple[Any, str]] = []
    part_files: list[tuple[Any, str]] = []
    width = max(2, len(str(max((s["position"] for s in steps), default=0))))
    uncertain: dict[tuple, int] = {}
    for step, mapped in mapped_steps:
        names = name_parts(step, mapped, width)
        for (part, section), name in zip(mapped.parts, names.values(), strict=True):
            resolve_references(part, section.data, names)
            archives[name] = {"data": section.data}
            origins[name], owners[name] = section.origins, step
            part_files.append((step["id"], name))
            (step_refs if part.kind == "step" else calculations).append(name)
            for e in section.uncertain:
                k = (step["type"], e.target, e.field, e.note)
                uncertain[k] = uncertain.get(k, 0) + 1
        main = names[0]
        main_files.append((step["id"], main))
        for key, value, reason in mapped.kept:
            report.unmapped.append(UnmappedField(
                step["position"], step["id"], step["type"], key, value, main, reason,
                key in mapped.not_done))
        report.fields.extend(field_rows(step, mapped, names))
    for key, value in proc.unmapped:
        report.unmapped.append(UnmappedField(None, None, None, key, value, pfile,
                                             "not a key the profile's process section takes"))
    proc.data[prof.steps_quantity] = [step_reference(name) for name in step_refs]
    if calculations:
        report.calculations = list(calculations)
        listing = "\n".join(f"- {name}" for name in calculations)
        notes = proc.data.get("notes")
        block = f"{CALCULATIONS_HEADER}\n{listing}"
        proc.data["notes"] = f"{notes}\n\n{block}" if notes else block
    archives = {pfile: {"data": proc.data}, **archives}
    report.uncertain = [UncertainTarget(*k, count=n) for k, n in uncertain.items()]
    if not mapped_steps:
        report.warnings.append(f"process {pid!r} has no steps: only the process entry is exported")
    for step, _ in mapped_steps:
        if not step.get("date"):
            report.warnings.append(
                f"step {step['position']} (id {step['id']!r}, type {step['type']!r}) has no date"
            )
    for step, mapped in mapped_steps:
        answers = step.get("fields") or {}
        for key, value, switch in mapped.recorded_off:
            report.warnings.append(
                f"process {pid!r}{f' ({pname})' if pname else ''}, step {step['position']} "
                f"(id {step['id']!r}, type {step['type']!r}), field {key!r} = {value!r}: "
                f"recorded although {switch} is {render(answers.get(switch))}; kept in the "
                "step's notes, no NOMAD step is written for it (check the CAMS step)")
    report.files = len(archives)

    _validate(archives, prof, pid, pname, owners, origins)
    return ExportResult(
        archives=archives,
        process_file=pfile,
        step_files=main_files,
        report=report,
        part_files=part_files,
    )


def _validate(
    archives: dict, prof: Profile, pid: Any, pname: str | None, steps: dict, origins: dict
) -> None:
    """Run the one validator on every archive; any finding stops the export.

    A finding on a value that came from a CAMS field names that field and value; anything
    else is a profile bug, reported as such.
    """

    mainfiles = {name: archive["data"]["m_def"] for name, archive in archives.items()}
    problems = []
    for name, archive in archives.items():
        step = steps.get(name, {})
        for found in validate_archive(
            archive, prof.schemas, mainfile=name, upload_mainfiles=mainfiles
        ):
            target = found.path[len("data."):] if found.path.startswith("data.") else None
            key, value = origins.get(name, {}).get(target, (None, None))
            if key is not None:
                message = f"NOMAD would not accept the value: {found.message}"
            else:
                message = (
                    f"{name}: {found.path}: {found.message} [{found.code}] — the mapping "
                    f"profile {prof.name!r} produced a value NOMAD would not accept; "
                    "report this to the profile's maintainer"
                )
            problems.append(InputProblem(
                process_id=pid,
                step_position=step.get("position"),
                step_id=step.get("id"),
                step_type=step.get("type"),
                field=key,
                value=value,
                message=message,
                process_name=pname,
            ))
    if problems:
        raise ExportError(problems)


def _shape(document: Any, problems: list[InputProblem]) -> tuple[dict, list[dict]]:
    """Check the document's structure (Contract 1); return the process and sorted steps."""

    def bad(message: str, step: Any = None, field: str | None = None, value: Any = None):
        s = step if isinstance(step, dict) else {}
        problems.append(InputProblem(
            process_id=process.get("id") if isinstance(process, dict) else None,
            step_position=s.get("position"),
            step_id=s.get("id"),
            step_type=s.get("type") if isinstance(s.get("type"), str) else None,
            field=field,
            value=value,
            message=message,
        ))

    if not isinstance(document, dict):
        process = None
        bad("the process document must be a JSON object with \"process\" and \"steps\"")
        return {}, []
    process = document.get("process")
    if not isinstance(process, dict):
        bad("the process document has no \"process\" object")
        process = {}
    elif process.get("id") is None or isinstance(process.get("id"), bool | dict | list):
        bad("the process has no \"id\"", field="id", value=process.get("id"))
    raw_steps = document.get("steps")
    if not isinstance(raw_steps, list):
        bad("\"steps\" must be a list of steps", field="steps", value=raw_steps)
        raw_steps = []
    steps: list[dict] = []
    seen_positions: dict[int, Any] = {}
    seen_ids: set = set()
    for i, step in enumerate(raw_steps):
        if not isinstance(step, dict):
            bad(f"step number {i + 1} in \"steps\" is not an object", value=step)
            continue
        ok = True
        position = step.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            bad("\"position\" must be a whole number >= 0", step, "position", position)
            ok = False
        elif position in seen_positions:
            bad(f"position {position} is used by two steps (ids {seen_positions[position]!r} "
                f"and {step.get('id')!r})", step, "position", position)
            ok = False
        else:
            seen_positions[position] = step.get("id")
        sid = step.get("id")
        if sid is None or isinstance(sid, bool | dict | list):
            bad("the step has no \"id\"", step, "id", sid)
            ok = False
        elif sid in seen_ids:
            bad(f"step id {sid!r} appears twice", step, "id", sid)
            ok = False
        else:
            seen_ids.add(sid)
        if not isinstance(step.get("type"), str) or not step.get("type").strip():
            bad("the step has no \"type\" (the CAMS step type)", step, "type", step.get("type"))
            ok = False
        if step.get("fields") is not None and not isinstance(step.get("fields"), dict):
            bad("\"fields\" must be an object of CAMS field: value", step, "fields",
                step.get("fields"))
            ok = False
        if ok:
            steps.append(step)
    steps.sort(key=lambda s: s["position"])
    return process, steps


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
