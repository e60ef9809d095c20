"""Shared by the tests of the `official` window: scripted answers to its dialogs and
selecting a tree row as a click does."""

from __future__ import annotations

from pathlib import Path

from cams_module.editor.tk_app import Dialogs, EditorApp


class Answers:
    """Scripted answers to the window's dialogs, with a record of what was asked."""

    def __init__(self, confirm: bool = True, save_as: Path | None = None,
                 open_path: Path | None = None):
        self.confirm_answer = confirm
        self.save_as = save_as
        self.open_path = open_path
        self.asked: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.folders: list[str | None] = []

    def dialogs(self) -> Dialogs:
        return Dialogs(
            confirm=lambda title, text: self.asked.append((title, text)) or self.confirm_answer,
            error=lambda title, text: self.errors.append(text),
            open_file=lambda folder: (self.folders.append(folder)
                                      or (str(self.open_path) if self.open_path else None)),
            save_file=lambda initial: str(self.save_as) if self.save_as else None,
        )


def select_row(app: EditorApp, pump, path: str) -> None:
    """Select a tree row the way a click does (the tree's own selection event)."""
    app.tree.see(path)
    app.tree.selection_set(path)
    assert pump(lambda: app.selected_path() == path and app.nodes[path] is not None)
    pump(lambda: True, 0.05)
