"""Entry points of the editor window: build it on a file (or the new-archive chooser) and
run it; without a display, point to the scriptable commands."""

from __future__ import annotations

import sys
import tkinter as tk
from pathlib import Path

from .tk_app import EditorApp
from .tk_dialogs import Dialogs


def build_window(path: str | None = None, profile: str | None = None,
                 dialogs: Dialogs | None = None) -> EditorApp:
    """The editor window on ``path``; without one, or for a file that does not exist yet,
    the new-archive chooser (the new archive is then saved under that name)."""
    app = EditorApp(tk.Tk(), dialogs)
    if path and Path(path).exists():
        if not app.open_path(path, profile):
            app.show_chooser()
    else:
        app.show_chooser(path)
    return app


def run_window(path: str | None = None, profile: str | None = None) -> int:
    """Open the editor window and run it until it is closed (2 when there is no display)."""
    try:
        app = build_window(path, profile)
    except tk.TclError as exc:
        print(f"official: cannot open a window ({exc}). Without a display use the "
              "commands: official get | set | validate (see official --help).",
              file=sys.stderr)
        return 2
    app.root.mainloop()
    return 0
