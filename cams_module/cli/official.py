"""Scriptable commands of `official`: get, set, validate, new, classes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from cams_module.editor.document import ArchiveDocument, DocumentError, load_document, new_document
from cams_module.editor.fields import InputError, expected, parse_scalar, parse_value, stored_text
from cams_module.editor.profiles import SET_2_0, SET_2025_04, creatable_classes, set_name_for
from cams_module.editor.zip_members import NotAnUpload, expanded
from cams_module.schema import load_schema_set
from cams_module.schema.paths import PathError, parse_path

COMMANDS = ("get", "set", "validate", "new", "classes")
PROFILES = (SET_2_0, SET_2025_04)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the scriptable commands."""
    parser = argparse.ArgumentParser(
        prog="official",
        description="Edit NOMAD archive files (*.archive.json). Without a command: open the "
        "window (official [FILE]).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--profile", choices=PROFILES, help="schema set (default: from m_def)")
        return cmd

    get = add("get", "print the value at a key path (JSON for sections and lists)")
    get.add_argument("file")
    get.add_argument("path", help="key path, e.g. data.etching_steps[0].chamber_pressure")
    put = add("set", "set a value (numbers may carry any unit of the right kind) and save")
    put.add_argument("file")
    put.add_argument("path")
    put.add_argument("value", help='e.g. "30 mtorr", yes, 2025-03-02T09:00:00+01:00')
    check = add("validate", "check files against the schema; one line per problem")
    check.add_argument("files", nargs="+")
    new = add("new", "create a new archive file holding only the chosen class")
    new.add_argument("file")
    new.add_argument("m_def", help="class, e.g. schema_packages.steps.remove.etching."
                     "dry_etching.RIE")
    add("classes", "list the classes a new archive can start from")
    return parser


def run(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one scriptable command; return the exit code (0 ok, 1 invalid, 2 usage/input)."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    handler = {"get": _get, "set": _set, "validate": _validate, "new": _new,
               "classes": _classes}[args.command]
    try:
        return handler(args, out, err)
    except (DocumentError, PathError) as exc:
        print(f"error: {exc}", file=err)
        return 2


def _get(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    doc = load_document(args.file, args.profile)
    steps = parse_path(args.path)
    if not doc.exists(steps):
        undefined = _undefined_key(doc, steps)
        if undefined:
            print(f"error: {args.file}: {args.path}: {undefined}", file=err)
            return 2
        if len(steps) > 1 and doc.exists(steps[:-1]) and isinstance(steps[-1], str):
            print(f"{args.file}: {args.path} is empty (not set)", file=err)
            return 1
    value = doc.get(steps)
    if isinstance(value, dict | list):  # keys in the order files are saved in (sorted)
        print(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False), file=out)
    elif isinstance(value, str):
        print(value, file=out)
    else:
        print(json.dumps(value), file=out)
    return 0


def _undefined_key(doc: ArchiveDocument, steps: tuple) -> str | None:
    """Why ``steps`` names no key of its section's class (listing the valid keys), or None
    when the class defines it (or the class is unknown)."""
    if len(steps) < 2 or not isinstance(steps[-1], str):
        return None
    cls = doc.section_class(steps[:-1])
    if cls is None or steps[-1] in cls.quantities or steps[-1] in cls.subsections:
        return None
    keys = ", ".join(sorted((*cls.quantities, *cls.subsections))) or "none"
    return f"{cls.short_name} has no key {steps[-1]!r}; its keys are: {keys}"


def _set(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    doc = load_document(args.file, args.profile)
    steps = parse_path(args.path)
    quantity = doc.quantity(steps)
    where = f"{args.file}: {args.path}"
    if quantity is None:
        cls = doc.section_class(steps[:-1]) if len(steps) > 1 else None
        if doc.subsection(steps) is not None:
            print(f"error: {where} is a sub-section; set one of its quantities, "
                  f"e.g. {args.path}.name", file=err)
        elif cls is not None:
            known = ", ".join(sorted(cls.quantities)) or "none"
            print(f"error: {where}: {cls.m_def.rsplit('.', 1)[-1]} has no quantity "
                  f"{steps[-1]!r}; its quantities are: {known}", file=err)
        else:
            print(f"error: {where} does not lead to a quantity the schema knows", file=err)
        return 2
    try:
        if isinstance(steps[-1], int):
            value = parse_scalar(args.value, quantity)
        else:
            value = parse_value(args.value, quantity)
    except InputError as exc:
        print(f"error: {where}: {exc}", file=err)
        return 2
    before = {(p.path, p.code, p.message) for p in doc.problems()}
    warned = {(w.path, w.message) for w in doc.warnings()}
    doc.set(steps, value)
    fresh = [p for p in doc.problems() if (p.path, p.code, p.message) not in before]
    if fresh:
        for problem in fresh:
            print(f"error: {args.file}: {problem.path}: {problem.message} "
                  f"(expected {expected(quantity)})", file=err)
        print(f"{args.file} was not changed", file=err)
        return 1
    doc.save()
    if isinstance(value, list):
        shown = json.dumps(value, ensure_ascii=False)
    else:
        shown = stored_text(value, quantity)
    print(f"{args.path} = {shown}", file=out)
    for warning in doc.warnings():
        if (warning.path, warning.message) not in warned:
            print(f"warning: {args.file}: {warning.path}: {warning.message}", file=err)
    return 0


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        with expanded(args.files) as files:
            bad = sum(_validate_one(shown, path, args.profile, out) for shown, path in files)
    except NotAnUpload as exc:
        print(f"error: {exc}", file=err)
        return 2
    if bad:
        print(f"{bad} of {len(files)} file(s) have problems", file=err)
    return 1 if bad else 0


def _validate_one(name: str, path: Path, profile: str | None, out: TextIO) -> int:
    """Validate one archive file; print its verdict; 1 when it has problems."""
    try:
        doc = load_document(path, profile)
        problems = doc.problems()
    except DocumentError as exc:
        text = str(exc).replace(str(path), name)
        print(text if text.startswith(f"{name}:") else f"{name}: {text}", file=out)
        return 1
    except (UnicodeDecodeError, OSError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc
        print(f"{name}: cannot read it as an archive ({reason})", file=out)
        return 1
    for problem in problems:
        print(f"{name}: {problem.path}: {problem.message} [{problem.code}]", file=out)
    for warning in doc.warnings():
        print(f"{name}: {warning.path}: warning: {warning.message}", file=out)
    if not problems:
        print(f"{name}: valid", file=out)
    return 1 if problems else 0


def _new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    target = Path(args.file)
    if target.exists():
        print(f"error: {target} already exists; edit it with 'official set' or the window",
              file=err)
        return 2
    name = set_name_for({"data": {"m_def": args.m_def}}, args.profile)
    doc = new_document(args.m_def, load_schema_set(name), target)
    doc.save()
    print(f"created {target} ({args.m_def})", file=out)
    return 0


def _classes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    names = [args.profile] if args.profile else list(PROFILES)
    for set_name, m_def in creatable_classes([load_schema_set(n) for n in names]):
        print(f"{set_name}\t{m_def}", file=out)
    return 0
