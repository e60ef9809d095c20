"""The editor window's menus, toolbar and keyboard shortcuts."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any


def build_menus(app: Any) -> tuple[dict[str, ttk.Button], ttk.Label]:
    """Add the File/Edit menus, the toolbar and the shortcuts to ``app``'s window; return
    the toolbar buttons by label and the label showing the open file (last in the bar)."""
    menu = tk.Menu(app.root)
    file_menu = tk.Menu(menu, tearoff=False)
    file_menu.add_command(label="New…", accelerator="Ctrl+N", command=app.show_chooser)
    file_menu.add_command(label="Open…", accelerator="Ctrl+O", command=app.open_dialog)
    file_menu.add_command(label="Save", accelerator="Ctrl+S", command=app.save)
    file_menu.add_command(label="Save as…", command=app.save_as)
    file_menu.add_separator()
    file_menu.add_command(label="Quit", command=app.quit)
    edit_menu = tk.Menu(menu, tearoff=False)
    edit_menu.add_command(label="Undo", accelerator="Ctrl+Z", command=app.undo)
    edit_menu.add_command(label="Redo", accelerator="Ctrl+Y", command=app.redo)
    menu.add_cascade(label="File", menu=file_menu)
    menu.add_cascade(label="Edit", menu=edit_menu)
    app.root.configure(menu=menu)

    bar = ttk.Frame(app.root, padding=(6, 4))
    bar.pack(side="top", fill="x")
    buttons: dict[str, ttk.Button] = {}
    for label, command in (("New", app.show_chooser), ("Open", app.open_dialog),
                           ("Save", app.save), ("Undo", app.undo), ("Redo", app.redo)):
        button = ttk.Button(bar, text=label, command=command)
        button.pack(side="left", padx=2)
        buttons[label] = button
    file_label = ttk.Label(bar, text="", padding=(12, 0))
    file_label.pack(side="left")
    for key, command in (("<Control-s>", app.save), ("<Control-o>", app.open_dialog),
                         ("<Control-n>", app.show_chooser), ("<Control-z>", app.undo),
                         ("<Control-y>", app.redo), ("<Control-Shift-Z>", app.redo)):
        app.root.bind(key, lambda _e, c=command: (c(), "break")[1])
    return buttons, file_label
