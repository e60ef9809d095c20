"""The editor window (Tkinter): a tree of sections, an input per quantity, problems, undo.

It opens at 1200×800 and grows with the window; the detail panel (tk_detail) wraps to its
width. Dialogs are injectable (``Dialogs``) so tests can answer them; everything else is
the real editor working on an ArchiveDocument.
"""

from __future__ import annotations

import copy
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from typing import Any

from cams_module.schema import load_schema_set
from cams_module.schema.paths import Step, format_path

from .document import ArchiveDocument, DocumentError, load_document, new_document
from .profiles import SET_2_0, SET_2025_04, creatable_classes
from .references import describe, missing_reference_message, referenced_file
from .tk_chooser import ClassChooser
from .tk_detail import DetailPanel
from .tk_dialogs import Dialogs
from .tk_fields import FieldEditor
from .tk_menu import build_menus
from .tk_problems import ProblemPane
from .tk_tree import ArchiveTree
from .tk_widgets import install_select_all

__all__ = ["Dialogs", "EditorApp"]


class EditorApp:
    """The main window. ``doc`` is the open ArchiveDocument (None while choosing a class)."""

    def __init__(self, root: tk.Tk, dialogs: Dialogs | None = None,
                 schema_loader: Callable[[str], Any] | None = None):
        self.root = root
        self.dialogs = dialogs or Dialogs()
        self.load_schemas = schema_loader or load_schema_set
        self.doc: ArchiveDocument | None = None
        self.problems: list = []
        self.warnings: list = []
        self.chooser: ClassChooser | None = None
        self.new_path: Path | None = None
        self.windows: list[EditorApp] = []  # steps opened from references
        self.status = tk.StringVar(value="")
        root.title("official — NOMAD archive editor")
        root.geometry("1200x800")
        root.minsize(900, 600)
        install_select_all(root)
        root.protocol("WM_DELETE_WINDOW", self.quit)
        self._build()

    # ----- layout -----------------------------------------------------------------
    def _build(self) -> None:
        self.buttons, self.file_label = build_menus(self)
        self.show_empty = tk.BooleanVar(value=True)
        self.empty_toggle = ttk.Checkbutton(self.file_label.master, text="Show empty fields",
                                            variable=self.show_empty,
                                            command=lambda: self.refresh(rebuild_detail=False))
        self.empty_toggle.pack(side="left", padx=(12, 0), before=self.file_label)
        ttk.Label(self.root, textvariable=self.status, relief="sunken", anchor="w",
                  padding=(6, 2)).pack(side="bottom", fill="x")
        self.problem_list = ProblemPane(self.root, self.select)
        self.problem_list.pack(side="bottom", fill="x", padx=6)

        self.panes = panes = ttk.PanedWindow(self.root, orient="horizontal")
        panes.pack(side="top", fill="both", expand=True, padx=6, pady=4)
        self.archive_tree = ArchiveTree(panes)
        self.tree = self.archive_tree.view
        self.nodes = self.archive_tree.nodes
        self.archive_tree.describe = self.describe_reference
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._on_select())
        self.panel = DetailPanel(panes, self)
        panes.add(self.archive_tree, weight=1)
        panes.add(self.panel, weight=1)

    # ----- opening and creating --------------------------------------------------------
    def open_path(self, path: str | Path, profile: str | None = None) -> bool:
        """Open an archive file; show an error dialog and return False if it cannot be read."""
        try:  # an unknown m_def still opens (flagged), so its class can be chosen
            doc = load_document(path, profile, fallback=SET_2_0)
        except DocumentError as exc:
            self.dialogs.error("Cannot open archive", str(exc))
            return False
        self.set_document(doc)
        return True

    def open_dialog(self) -> None:
        """Ask for a file and open it (after asking to drop unsaved changes)."""
        if not self._may_discard():
            return
        folder = str(self.doc.path.parent) if self.doc and self.doc.path else None
        path = self.dialogs.open_file(folder)
        if path:
            self.open_path(path)

    def show_chooser(self, path: str | Path | None = None) -> None:
        """Show the list of classes a new archive can start from (in the empty window)."""
        if self.doc is not None and not self._may_discard():
            return
        self.new_path = Path(path) if path else None
        self.doc = None
        self.archive_tree.clear()
        self._show_problems([], [])
        sets = [self.load_schemas(name) for name in (SET_2_0, SET_2025_04)]
        self.panel.clear()
        self.panes.pack_forget()
        self.chooser = ClassChooser(self.root, creatable_classes(sets), self.create)
        self.chooser.pack(side="top", fill="both", expand=True, padx=6, pady=4)
        self._update_title()
        self.status.set("Choose the class of the new archive, then Create.")

    def create(self, set_name: str, m_def: str) -> None:
        """Start a new archive of class ``m_def`` from the schema set ``set_name``."""
        doc = new_document(m_def, self.load_schemas(set_name), self.new_path)
        self.set_document(doc)

    def set_document(self, doc: ArchiveDocument) -> None:
        """Show ``doc`` in the window."""
        self.doc = doc
        if self.chooser is not None:
            self.chooser.destroy()
            self.chooser = None
        if not self.panes.winfo_manager():
            self.panes.pack(side="top", fill="both", expand=True, padx=6, pady=4)
        self.refresh(select="data")
        self.root.update_idletasks()
        self.panes.sashpos(0, max(360, int(self.panes.winfo_width() * 0.46)))
        self.tree.item("data", open=True)

    # ----- tree ---------------------------------------------------------------------
    def refresh(self, select: str | None = None, rebuild_detail: bool = True) -> None:
        """Re-validate, rebuild the tree (keeping open rows) and select ``select``."""
        if self.doc is None:
            return
        selected = select or self.selected_path()
        self.problems, self.warnings = self.doc.problems(), self.doc.warnings()
        self.archive_tree.build(self.doc, self.problems, show_empty=self.show_empty.get())
        target = self.archive_tree.nearest(selected) if selected else "data"
        if target:
            self.tree.see(target)
            self.tree.selection_set(target)
            self.tree.focus(target)
        self._show_problems(self.problems, self.warnings)
        self._update_title()
        if rebuild_detail:
            self.panel.show(target)
        elif self.editor is not None:
            self.editor.preview()

    def _revalidate(self) -> None:
        """Validate again and re-mark the rows, without rebuilding the tree."""
        assert self.doc is not None
        self.problems, self.warnings = self.doc.problems(), self.doc.warnings()
        self.archive_tree.mark(self.problems)
        self._show_problems(self.problems, self.warnings)
        self._update_title()

    def selected_path(self) -> str | None:
        """Key path of the selected row (None when nothing is selected)."""
        chosen = self.tree.selection()
        return chosen[0] if chosen else None

    def select(self, path: str) -> None:
        """Select the row of ``path`` (opening its parents) and show its editor."""
        iid = self.archive_tree.nearest(path)
        self.tree.see(iid)
        self.tree.selection_set(iid)
        self.tree.focus(iid)
        self.root.update_idletasks()
        self.panel.show(iid)

    @property
    def editor(self) -> FieldEditor | None:
        """The field editor shown in the detail panel (None for other rows)."""
        return self.panel.editor

    def _on_select(self) -> None:
        # Rebuilding the tree queues selection events; the panel already shows that row.
        chosen = self.selected_path()
        if chosen != self.panel.shown_path:
            self.panel.show(chosen)

    def set_class(self, m_def: str) -> None:
        """Give an archive of an unknown class the class ``m_def`` of its schema set."""
        assert self.doc is not None
        m_def = m_def.strip()
        if self.doc.schemas.get(m_def) is None:
            self.dialogs.error("Unknown class", f"{m_def!r} is not a class of "
                               f"{self.doc.schemas.name}; pick one from the list")
            return
        self.doc.set(("data", "m_def"), m_def)
        self.refresh(select="data")

    # ----- edits -------------------------------------------------------------------
    def trial_problems(self, steps: tuple[Step, ...], value: Any) -> list[tuple[str, str]]:
        """What the validator (errors) and the plausibility checks (warnings) would say about
        ``value`` at ``steps``, as (severity, message); nothing is stored."""
        assert self.doc is not None
        trial = ArchiveDocument(copy.deepcopy(self.doc.archive), self.doc.schemas,
                                self.doc.path, scratch=True)
        trial.set(steps, value)
        here = format_path(steps)
        out = []
        for problem in [*trial.problems(), *trial.warnings()]:
            if problem.path == here or problem.path.startswith((here + ".", here + "[")):
                message = problem.message
                if problem.code == "reference":
                    message = self._reference_message(trial, problem.path) or message
                out.append((problem.severity, message))
        return out

    def _reference_message(self, trial: ArchiveDocument, path: str) -> str | None:
        folder = trial.path.parent if trial.path else None
        value = trial.get(path) if trial.exists(path) else None
        return missing_reference_message(folder, value, self.sibling_files()) \
            if isinstance(value, str) else None

    def describe_reference(self, reference: str) -> str:
        """A step reference as people read it: step name, class and file."""
        folder = self.doc.path.parent if self.doc and self.doc.path else None
        return describe(folder, reference)

    def open_reference(self, reference: str) -> EditorApp | None:
        """Open the step a reference points at in a new window (None if it is missing)."""
        file = referenced_file(reference)
        if file is None or self.doc is None or self.doc.path is None:
            return None
        path = self.doc.path.parent / file
        if not path.is_file():
            self.dialogs.error("Cannot open step", f"{file} is not a file in "
                               f"{self.doc.path.parent}")
            return None
        window = EditorApp(tk.Toplevel(self.root), self.dialogs, self.load_schemas)
        window.open_path(path)
        self.windows.append(window)
        return window

    def commit(self, steps: tuple[Step, ...], value: Any) -> None:
        """Store a value typed in a field (empty text or list clears the field)."""
        assert self.doc is not None
        exists = self.doc.exists(steps)
        if value == "" or value == []:
            if exists:
                self.doc.remove(steps)
        elif not exists or self.doc.get(steps) != value or \
                type(self.doc.get(steps)) is not type(value):
            self.doc.set(steps, value)
        else:
            return
        iid = format_path(steps)
        if self.nodes.get(iid) is not None and self.nodes[iid].kind == "quantity":
            self.archive_tree.show_value(iid, self.doc.get(steps[:-1]))
            self._revalidate()
        else:
            self.refresh(select=iid, rebuild_detail=False)
        if self.editor is not None:
            self.editor.preview()
        self.status.set(f"{iid} set; {self._summary()}")

    def add_subsection(self, steps: tuple[Step, ...]) -> str:
        """Add a sub-section (or one more item of a repeating one) and select it."""
        assert self.doc is not None
        new_path = self.doc.add_section(steps)
        self.refresh(select=new_path)
        self.tree.item(format_path(steps), open=True)
        self.status.set(f"added {new_path}")
        return new_path

    def remove(self, steps: tuple[Step, ...]) -> None:
        """Remove a value, section, list item or unknown key."""
        assert self.doc is not None
        self.doc.remove(steps)
        self.refresh(select=format_path(steps[:-1]))
        self.status.set(f"removed {format_path(steps)}")

    def rename(self, steps: tuple[Step, ...], new_name: str) -> None:
        """Give a key the schema does not know a name it knows (keeping its value)."""
        assert self.doc is not None
        if not new_name.strip():
            return
        try:
            new_path = self.doc.rename(steps, new_name.strip())
        except DocumentError as exc:
            self.dialogs.error("Cannot rename", str(exc))
            return
        self.refresh(select=new_path)
        self.status.set(f"renamed {format_path(steps)} to {new_path}")

    def move(self, steps: tuple[Step, ...], delta: int) -> None:
        """Move a repeated sub-section item up (-1) or down (+1)."""
        assert self.doc is not None
        new_path = self.doc.move(steps, int(steps[-1]) + delta)
        self.refresh(select=new_path)

    def undo(self) -> None:
        """Undo the last change."""
        if self.doc is not None and self.doc.undo():
            self.refresh()
            self.status.set("undone")

    def redo(self) -> None:
        """Redo the change last undone."""
        if self.doc is not None and self.doc.redo():
            self.refresh()
            self.status.set("redone")

    def sibling_files(self) -> list[str]:
        """``*.archive.json`` files in the archive's folder (candidates for references)."""
        if self.doc is None or self.doc.path is None:
            return []
        names = self.doc.sibling_mainfiles() or set()
        return sorted(names - {self.doc.path.name})

    # ----- saving and closing --------------------------------------------------------
    def save(self) -> bool:
        """Save (asking first when the validator finds problems); True when written."""
        if self.doc is None:
            return False
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        if self.doc is None:
            return False
        data = self.doc.archive.get("data") or {}
        initial = self.doc.path.name if self.doc.path else \
            f"{str(data.get('m_def', 'new')).rsplit('.', 1)[-1]}.archive.json"
        path = self.dialogs.save_file(initial)
        return self._write(Path(path)) if path else False

    def _write(self, path: Path) -> bool:
        assert self.doc is not None
        problems = self.doc.problems()
        if problems:
            listed = "\n".join(f"• {p.path}: {p.message}" for p in problems[:8])
            more = f"\n… and {len(problems) - 8} more" if len(problems) > 8 else ""
            if not self.dialogs.confirm(
                "Save with problems?",
                f"The archive has {len(problems)} problem(s); NOMAD may reject or drop "
                f"these values:\n\n{listed}{more}\n\nSave anyway?",
            ):
                self.status.set("not saved")
                return False
        try:
            self.doc.save(path)
        except OSError as exc:
            self.dialogs.error("Cannot save", f"{path}: {exc.strerror or exc}")
            return False
        self._update_title()
        self.status.set(f"saved {path}")
        return True

    def _may_discard(self) -> bool:
        if self.doc is None or not self.doc.modified:
            return True
        return bool(self.dialogs.confirm("Unsaved changes",
                                         "Discard the unsaved changes of this archive?"))

    def quit(self) -> None:
        """Close the window (asking first when there are unsaved changes)."""
        if self._may_discard():
            self.root.destroy()

    # ----- problems and title ----------------------------------------------------------
    def _show_problems(self, problems: list, warnings: list) -> None:
        self.problem_list.show(problems, warnings)
        if self.doc is not None:
            self.status.set(self._summary())

    def _summary(self) -> str:
        text = f"{len(self.problems)} problem(s)" if self.problems else "valid"
        return text + (f", {len(self.warnings)} warning(s)" if self.warnings else "")

    def _update_title(self) -> None:
        if self.doc is None:
            name = "new archive"
        else:
            name = self.doc.path.name if self.doc.path else "untitled"
            name += " *" if self.doc.modified else ""
        self.root.title(f"official — {name}")
        self.file_label.configure(text=str(self.doc.path) if self.doc and self.doc.path
                                  else "")
