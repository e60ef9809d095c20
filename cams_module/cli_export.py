"""Subcommands (filled in by their issue)."""

import argparse


def register(sub: "argparse._SubParsersAction") -> None:
    """Register this module's subcommands."""
