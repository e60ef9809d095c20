"""The questions the editor window asks (file choosers, confirmations, errors), injectable
so a script or a test can answer them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from tkinter import filedialog, messagebox
from typing import Any

FILE_TYPES = [("NOMAD archive", "*.archive.json"), ("JSON", "*.json"), ("All files", "*")]


def _ask_open(folder: str | None = None) -> str | None:
    return filedialog.askopenfilename(title="Open archive", filetypes=FILE_TYPES,
                                      initialdir=folder or None) or None


def _ask_save(initial: str) -> str | None:
    return filedialog.asksaveasfilename(
        title="Save archive as", initialfile=initial, defaultextension=".archive.json",
        filetypes=FILE_TYPES) or None


@dataclass
class Dialogs:
    """The questions the window asks; replace them to answer from a script or a test."""

    confirm: Callable[[str, str], bool] = messagebox.askyesno
    error: Callable[[str, str], Any] = messagebox.showerror
    open_file: Callable[[str | None], str | None] = _ask_open  # argument: start folder
    save_file: Callable[[str], str | None] = _ask_save
