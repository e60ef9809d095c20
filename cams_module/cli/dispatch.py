"""`cams-nomad` command line: a thin dispatcher over the subcommand modules."""

from __future__ import annotations

import argparse
import re
import sys

from cams_module.cli import export as cli_export
from cams_module.cli import nomad as cli_nomad
from cams_module.cli import worker as cli_worker


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="cams-nomad", description="Export CAMS processes and upload them to NOMAD."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cli_export.register(sub)
    cli_nomad.register(sub)
    cli_worker.register(sub)
    return parser


#: NOMAD upload ids are 22 URL-safe base64 characters, so one in 64 starts with "-"
_DASHED_ID = re.compile(r"^-[A-Za-z0-9_-]{21}$")
#: the subcommands whose last argument is an upload id
_TAKES_ID = {"status", "publish", "delete"}


def protect_upload_ids(argv: list[str]) -> list[str]:
    """Move an upload id that starts with "-" behind "--", so it is not read as an
    option (``cams-nomad status -W4lIk-CQCONE3zi35-Iaw``)."""
    if not argv or argv[0] not in _TAKES_ID or "--" in argv:
        return list(argv)
    ids = [a for a in argv[1:] if _DASHED_ID.match(a)]
    if not ids:
        return list(argv)
    return [a for a in argv if a not in ids] + ["--", *ids]


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return its exit code."""
    args = build_parser().parse_args(protect_upload_ids(sys.argv[1:] if argv is None
                                                        else argv))
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
