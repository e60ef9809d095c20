"""`cams-nomad export|validate|profiles`: the mapping and the validator on the command line.

Exit codes: 0 done/clean; 1 ``validate`` found problems; 2 the input has problems (every
one on stderr, one per line; nothing written) or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from cams_module.cams2nomad.profile import (
    DEFAULT_PROFILE,
    ProfileError,
    list_profiles,
    load_profile,
    profile_classes,
)
from cams_module.cli.documents import DocumentChoiceError, describe, documents_in, pick
from cams_module.export import BatchWriteError, ExportError, ZipBatch, export_process, write_zip
from cams_module.export.names import slug
from cams_module.export.validation import guess_schema_set, validate_upload
from cams_module.nomad.client import NomadClient
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import NomadError
from cams_module.nomad.schemas import schemas_from_nomad
from cams_module.schema import load_schema_set
from cams_module.schema.yaml_package import embed, schema_mode

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_INPUT = 2


def register(sub: argparse._SubParsersAction) -> None:
    """Register the export, validate and profiles subcommands."""
    p = sub.add_parser("export", help="turn a CAMS process document into a NOMAD upload zip",
                       description="Map a process document (JSON) with a profile, validate "
                       "every archive and write a deterministic zip. Exit 2 with every "
                       "problem on stderr when the document has any (nothing is written).")
    p.add_argument("document", metavar="DOC.json", help="the process document ('-' = stdin); "
                   "a file of several processes (a list, or {\"processes\": [...]}) "
                   "exports each into the folder -o names, or the one --process picks")
    p.add_argument("-o", "--output", required=True, metavar="OUT.zip",
                   help="the zip to write (a folder for a file of several processes)")
    p.add_argument("--process", metavar="NAME", help="of a file of several processes, "
                   "export the one with this name, id or number (1 = first)")
    p.add_argument("--profile", help="mapping profile (default: fabrication-utilities-2.0)")
    p.add_argument("--report", metavar="REPORT.json", help="also write the export report "
                   "(for a folder export: one file with every process's report)")
    p.add_argument("--nomad", action="store_true",
                   help="judge by the schemas of the NOMAD in NOMAD_URL (NOMAD 2.x); the "
                   "shipped snapshot when it cannot be asked")
    p.add_argument("--schema", choices=["plugin", "embedded"],
                   help="plugin: archives name the facility plugin's classes (default, or env "
                   "CAMS_NOMAD_SCHEMA); embedded: the zip carries those classes as a NOMAD "
                   "YAML schema package, for a NOMAD without the plugin")
    p.set_defaults(handler=_export)

    p = sub.add_parser("validate", help="check an upload zip or folder against a schema set",
                       description="One line per problem (file, key path, message); exit 0 "
                       "when clean, 1 otherwise.")
    p.add_argument("upload", metavar="OUT.zip|DIR", help="an export zip or a folder")
    p.add_argument("--profile", help="use this profile's schema set (default: recognised "
                   "from the archives' m_defs, else the default profile's)")
    p.set_defaults(handler=_validate)

    p = sub.add_parser("profiles", help="list the mapping profiles",
                       description="Each profile's name, target plugin and CAMS step types.")
    p.set_defaults(handler=_profiles)


def _export(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.read() if args.document == "-" else Path(args.document).read_text(
            encoding="utf-8")
        document = json.loads(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"cannot read process document {args.document}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        documents = documents_in(document)
        if args.process:
            documents = [pick(documents, args.process)]
    except DocumentChoiceError as exc:
        print(f"{args.document}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if len(documents) == 1:
        return _export_one(documents[0], Path(args.output), args)
    out = Path(args.output)
    if not out.is_dir():
        print(f"{args.document} holds {len(documents)} processes ({describe(documents)}): "
              "pass --process NAME (or its number) to export one, or -o FOLDER (an "
              "existing folder) to export each as FOLDER/<name>.zip", file=sys.stderr)
        return EXIT_INPUT
    # One batch: each zip is made durable in the background while the next process is
    # mapped; a zip is reported written only once the batch has it (and its folder) on disk.
    codes, queued, failures, taken = [], [], [], set()
    with ZipBatch() as batch:
        for document in documents:
            name = _process_name(document)
            print(f"process {name}:", file=sys.stderr)
            target = out / _zip_name(slug(name, "process"), taken)
            code, result = _export_result(document, target, args)
            if result is not None:
                try:
                    batch.add(result, target, str(name))
                    queued.append((name, target, _Written(result, args)))
                except ValueError as exc:  # a value JSON cannot hold; nothing queued
                    print(str(exc), file=sys.stderr)
                    code = EXIT_INPUT
            codes.append(code)
        try:
            batch.finish()
        except BatchWriteError as err:
            failures = err.failures
    reports = []
    for name, target, written in queued:
        failed = [f for f in failures if f.covers(target)]
        if failed:
            print(f"process {name}: {failed[0].error}", file=sys.stderr)
            codes.append(EXIT_INPUT)
        else:
            written.say(target, None, f"process {name}: ")
            reports.append({"process": name, "zip": str(target), "report": written.data})
    if args.report:
        Path(args.report).write_text(_json({"processes": reports}), encoding="utf-8")
    return max(codes)


def _zip_name(stem: str, taken: set[str]) -> str:
    """`stem.zip`, or `stem-2.zip`, `stem-3.zip`… when processes of one file share a name."""
    name, number = f"{stem}.zip", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.zip"
    taken.add(name)
    return name


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def _process_name(document: Any) -> Any:
    process = document.get("process") if isinstance(document, dict) else None
    return process.get("name") if isinstance(process, dict) else None


def _export_one(document: Any, out: Path, args: argparse.Namespace) -> int:
    """Export one process document to `out`; print what was written or every problem."""
    code, result = _export_result(document, out, args)
    if result is None:
        return code
    try:
        write_zip(result, out)
    except (OSError, ValueError) as exc:  # ZipWriteError (full disk, no permission; nothing
        print(str(exc), file=sys.stderr)  # left behind) or a value JSON cannot hold
        return EXIT_INPUT
    _Written(result, args).say(out, args.report)
    return EXIT_OK


class _Written:
    """What is said (and the --report written) once an export's zip is on disk; keeps the
    report, not the archives."""

    def __init__(self, result: Any, args: argparse.Namespace):
        self.summary = "\n".join(result.report.summary_lines())
        self.data = result.report.to_dict() if args.report else None

    def say(self, out: Path, report: str | None, prefix: str = "") -> None:
        """Print what was written; write the data to `report` when one is named."""
        if report and self.data is not None:
            Path(report).write_text(_json(self.data), encoding="utf-8")
        print(f"{prefix}wrote {out}: {self.summary}")


def _export_result(document: Any, out: Path, args: argparse.Namespace) -> tuple[int, Any]:
    """(EXIT_OK, the ExportResult) or (exit code, None) with every problem printed."""
    try:
        profile = args.profile or _default()
        embedded = schema_mode(args.schema) == "embedded"
        if embedded and args.nomad:
            print("--nomad judges by the NOMAD's plugin; an embedded schema needs none",
                  file=sys.stderr)
            return EXIT_INPUT, None
        schemas = _nomad_schemas(profile) if args.nomad else None
        result = export_process(document, profile=profile, schemas=schemas)
        if embedded:
            prof = load_profile(profile)
            result = replace(result, archives=embed(result.archives, prof.schemas))
    except ExportError as err:
        for problem in err.problems:
            print(str(problem), file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing written", file=sys.stderr)
        return EXIT_INPUT, None
    except (KeyError, ProfileError, ValueError) as exc:  # ValueError: CAMS_NOMAD_SCHEMA
        print(exc.args[0] if isinstance(exc, KeyError) else str(exc), file=sys.stderr)
        return EXIT_INPUT, None
    except NomadError as exc:  # --nomad without a usable configuration
        print(f"{exc} {exc.hint or ''}".strip(), file=sys.stderr)
        return EXIT_INPUT, None
    if not out.parent.is_dir():
        print(f"output folder {out.parent} does not exist", file=sys.stderr)
        return EXIT_INPUT, None
    return EXIT_OK, result


def _nomad_schemas(profile: str):
    """The profile's classes as the configured NOMAD defines them (or the snapshot)."""

    chosen = load_profile(profile)
    choice = schemas_from_nomad(NomadClient(NomadConfig.from_env()), chosen.schema_set,
                                profile_classes(chosen))
    print(f"schemas: {choice.source}", file=sys.stderr)
    return choice.schemas


def _validate(args: argparse.Namespace) -> int:

    path = Path(args.upload)
    if not path.exists():
        print(f"{path} does not exist", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.profile:
            schemas = load_profile(args.profile).schemas
        else:
            name = guess_schema_set(path) or load_profile(_default()).schema_set
            schemas = load_schema_set(name)
        count, problems = validate_upload(path, schemas)
    except (KeyError, OSError, ValueError) as exc:  # unknown profile, bad zip
        print(f"cannot validate {path}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    for p in problems:
        print(str(p))
    verdict = "clean" if not problems else f"{len(problems)} problem(s)"
    if not count:
        verdict = "no *.archive.json found"
    print(f"{count} archive(s) checked against {schemas.name}: {verdict}", file=sys.stderr)
    return EXIT_OK if not problems and count else EXIT_PROBLEMS


def _profiles(args: argparse.Namespace) -> int:

    for name in list_profiles():
        prof = load_profile(name)
        default = " (default)" if name == DEFAULT_PROFILE else ""
        print(f"{name}{default}: {prof.target_plugin} [schema set {prof.schema_set}]")
        for step_type in sorted(prof.step_types):
            print(f"  {step_type} -> {prof.step_types[step_type].m_def}")
    return EXIT_OK


def _default() -> str:

    return DEFAULT_PROFILE
