"""`cams-nomad` command line: a thin dispatcher over the subcommand modules."""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return its exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
