"""`cams-nomad worker --task DIR --workers N`: run NOMAD jobs for a CAMS task."""

from __future__ import annotations

import argparse

from cams_module.lims import worker


def register(sub: argparse._SubParsersAction) -> None:
    """Register the worker subcommand."""
    parser = sub.add_parser(
        "worker", help="run the queued NOMAD jobs of a CAMS task (until stopped)",
        description="Run the queue's consumer with the CAMS database of the task in DIR: "
        "the SQLite queue beside it, or Redis with CAMS_NOMAD_QUEUE=redis://host:port/db.")
    worker.add_arguments(parser)
    parser.set_defaults(handler=worker.command)
