"""`cams-nomad upload|status|publish|delete`: the NOMAD client on the command line.

Credentials come only from the environment or NOMAD_CONFIG, never from arguments.
Errors are one sentence plus a hint on stderr; exit codes tell scripts what happened.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

import requests

from cams_module.nomad.client import DEFAULT_DEADLINE, NomadClient
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import (
    AuthenticationError,
    ConfigError,
    ForbiddenError,
    NomadError,
    NomadTimeout,
    NomadUnavailable,
    ProcessingFailed,
)
from cams_module.nomad.models import Upload

EXIT_OK = 0
EXIT_PROCESSING_FAILED = 1   # NOMAD processed the upload, some entry (or the upload) failed
EXIT_USAGE = 2               # bad arguments, missing file, missing configuration
EXIT_AUTH = 3                # credentials refused or not allowed
EXIT_UNAVAILABLE = 4         # NOMAD unreachable, failing, or processing past the deadline
EXIT_REJECTED = 5            # NOMAD refused the request (not found, bad request, ...)


def register(sub: argparse._SubParsersAction) -> None:
    """Register the upload, status, publish and delete subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help="NOMAD API address (default: NOMAD_URL)")
    common.add_argument("--json", action="store_true", help="print one JSON object")
    common.add_argument("-v", "--verbose", action="store_true", help="log HTTP calls")

    p = sub.add_parser("upload", parents=[common], help="upload an export zip to NOMAD",
                       description="Upload a zip, wait for NOMAD to process it, show entries. "
                       "Exit 0 only when every entry was processed successfully.")
    p.add_argument("file", metavar="FILE.zip", help="the export zip")
    p.add_argument("--name", help="upload name (default: the file name)")
    p.add_argument("--upload-id", help="replace the files of this unpublished upload")
    p.add_argument("--publish", action="store_true", help="publish after processing "
                   "(irreversible)")
    p.add_argument("--embargo", type=_months, default=0, metavar="MONTHS",
                   help="embargo length in months (0-36)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_DEADLINE, metavar="SECONDS",
                   help=f"how long to wait for processing (default {DEFAULT_DEADLINE:g})")
    p.add_argument("--delete-on-failure", action="store_true",
                   help="delete the new upload when processing fails")
    p.set_defaults(handler=_run(_upload))

    p = sub.add_parser("status", parents=[common], help="show an upload and its entries")
    p.add_argument("upload_id", metavar="UPLOAD_ID")
    p.set_defaults(handler=_run(_status))

    p = sub.add_parser("publish", parents=[common], help="publish an upload (irreversible)")
    p.add_argument("upload_id", metavar="UPLOAD_ID")
    p.add_argument("--embargo", type=_months, default=0, metavar="MONTHS")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_DEADLINE, metavar="SECONDS")
    p.set_defaults(handler=_run(_publish))

    p = sub.add_parser("delete", parents=[common], help="delete an unpublished upload")
    p.add_argument("upload_id", metavar="UPLOAD_ID")
    p.set_defaults(handler=_run(_delete))


def _months(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of months") from None
    if not 0 <= value <= 36:
        raise argparse.ArgumentTypeError(f"embargo must be 0 to 36 months, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the timeout must be positive")
    return value


def _run(command: Any) -> Any:
    """Wrap a command: build the client, turn every failure into a sentence + exit code."""

    def handler(args: argparse.Namespace) -> int:
        if args.verbose:
            logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
            logging.getLogger("urllib3").setLevel(logging.INFO)
        try:
            config = NomadConfig.from_env(url=args.url)
            with NomadClient(config) as client:
                return command(client, args)
        except ProcessingFailed as err:
            _fail(args, err, upload=err.upload)
            return EXIT_PROCESSING_FAILED
        except requests.RequestException as err:
            _fail(args, NomadUnavailable(f"The request to NOMAD failed: {type(err).__name__}."))
            return EXIT_UNAVAILABLE
        except (ConfigError, OSError) as err:
            _fail(args, err)
            return EXIT_USAGE
        except (AuthenticationError, ForbiddenError) as err:
            _fail(args, err)
            return EXIT_AUTH
        except (NomadUnavailable, NomadTimeout) as err:
            _fail(args, err)
            return EXIT_UNAVAILABLE
        except NomadError as err:
            _fail(args, err)
            return EXIT_REJECTED
        except Exception as err:  # noqa: BLE001 - the user gets a sentence, not a traceback
            _fail(args, RuntimeError(f"Unexpected failure: {type(err).__name__}: {err}"))
            return EXIT_REJECTED
        except KeyboardInterrupt:
            print("Interrupted; an upload already sent stays in NOMAD.", file=sys.stderr)
            return 130

    return handler


def _fail(args: argparse.Namespace, err: BaseException, upload: Upload | None = None) -> None:
    message = err.message if isinstance(err, NomadError) else str(err)
    if isinstance(err, NomadError):
        hint = err.hint
    elif isinstance(err, OSError):
        hint = "Check the file name and that you may read it."
    else:
        hint = "Run again with -v to see the HTTP calls; report the problem if it persists."
    print(f"error: {message}" + (f"\nhint: {hint}" if hint else ""), file=sys.stderr)
    if args.json:
        out: dict[str, Any] = {"ok": False, "error": {
            "type": type(err).__name__, "message": message, "hint": hint}}
        if upload is not None:
            out["upload"] = upload.to_dict()
        print(json.dumps(out, indent=2))
    elif upload is not None:
        _print_upload(upload)


def _print_upload(upload: Upload) -> None:
    print(f"upload   {upload.upload_id}" + (f"  ({upload.upload_name})"
                                            if upload.upload_name else ""))
    print(f"status   {upload.status}  [{upload.process_status}]"
          + (f"  {upload.last_status_message}" if upload.last_status_message else ""))
    if upload.gui_url:
        print(f"link     {upload.gui_url}")
    for message in upload.errors:
        print(f"error    {message}")
    if upload.entries:
        ok = len(upload.entries) - len(upload.failed_entries)
        print(f"entries  {ok} of {len(upload.entries)} processed successfully")
    for entry in upload.entries:
        mark = "FAILED" if entry.failed else "ok"
        print(f"  {mark:6} {entry.mainfile}  {entry.entry_id}")
        for message in entry.errors:
            print(f"         error: {message}")
        for message in entry.warnings:
            print(f"         warning: {message}")


def _report(args: argparse.Namespace, upload: Upload, ok: bool) -> int:
    if args.json:
        print(json.dumps({"ok": ok, "upload": upload.to_dict()}, indent=2))
    else:
        _print_upload(upload)
    return EXIT_OK if ok else EXIT_PROCESSING_FAILED


def _upload(client: NomadClient, args: argparse.Namespace) -> int:
    def progress(stage: str, upload: Upload | None) -> None:
        if not args.json and stage == "uploading":
            print(f"uploading {args.file} to {client.config.url} ...", file=sys.stderr)

    upload = client.upload_file(
        args.file, upload_name=args.name, upload_id=args.upload_id, publish=args.publish,
        embargo_length=args.embargo, delete_on_failure=args.delete_on_failure,
        progress=progress, deadline=args.timeout,
    )
    return _report(args, upload, upload.succeeded)


def _status(client: NomadClient, args: argparse.Namespace) -> int:
    upload = client.check_upload_status(args.upload_id)
    if not upload.process_running:
        upload.entries = client.get_upload_entries(args.upload_id)
    failed = not upload.process_running and not upload.succeeded
    return _report(args, upload, not failed)


def _publish(client: NomadClient, args: argparse.Namespace) -> int:
    client.publish_upload(args.upload_id, embargo_length=args.embargo)
    upload = client.wait_for_upload_completion(args.upload_id, deadline=args.timeout)
    upload.entries = client.get_upload_entries(args.upload_id)
    return _report(args, upload, upload.published)


def _delete(client: NomadClient, args: argparse.Namespace) -> int:
    client.delete_upload(args.upload_id)
    if args.json:
        print(json.dumps({"ok": True, "deleted": args.upload_id}))
    else:
        print(f"deleted upload {args.upload_id}")
    return EXIT_OK
