"""Command lines: `cams-nomad` (dispatch, export, nomad) and `official` (the editor's)."""

from cams_module.cli.dispatch import main

__all__ = ["main"]
