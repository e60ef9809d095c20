"""`official`: the standalone editor for NOMAD archive files (*.archive.json).

``official [FILE]`` opens the window; ``official get|set|validate|new|classes …`` runs a
scriptable command (see ``official --help`` and docs/official.md).
"""

from __future__ import annotations

import argparse
import sys

from cams_module.cli.official import COMMANDS, PROFILES, run
from cams_module.editor.tk_window import run_window


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `official` command; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in COMMANDS or args[0] in ("-h", "--help")):
        return run(args)
    parser = argparse.ArgumentParser(
        prog="official",
        usage="official [FILE] [--profile SET] | official {get,set,validate,new,classes} ...",
        description="Open the archive editor window (or run: official get|set|validate|new|"
        "classes --help).",
    )
    parser.add_argument("file", nargs="?", help="a *.archive.json file to open")
    parser.add_argument("--profile", choices=PROFILES, help="schema set (default: from m_def)")
    opts = parser.parse_args(args)
    return run_window(opts.file, opts.profile)


if __name__ == "__main__":
    sys.exit(main())
