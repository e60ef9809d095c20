"""The editor window (Tkinter): a tree of sections, an input per quantity, problems, undo.

Dialogs are injectable (``Dialogs``) so tests can answer them; everything else is the real
editor working on an ArchiveDocument.
"""

from __future__ import annotations

import copy
import json
import sys
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from tkinter import filedialog, messagebox, ttk
from typing import Any

from cams_module.schema import load_schema_set
from cams_module.schema.paths import Step, format_path

from .document import ArchiveDocument, DocumentError, load_document, new_document
from .profiles import SET_2_0, SET_2025_04, creatable_classes
from .tk_chooser import ClassChooser
from .tk_fields import FieldEditor
from .tk_tree import ArchiveTree, Node

FILE_TYPES = [("NOMAD archive", "*.archive.json"), ("JSON", "*.json"), ("All files", "*")]


def _ask_open() -> str | None:
    return filedialog.askopenfilename(title="Open archive", filetypes=FILE_TYPES) or None


def _ask_save(initial: str) -> str | None:
    return filedialog.asksaveasfilename(
        title="Save archive as", initialfile=initial, defaultextension=".archive.json",
        filetypes=FILE_TYPES) or None


@dataclass
class Dialogs:
    """The questions the window asks; replace them to answer from a script or a test."""

    confirm: Callable[[str, str], bool] = messagebox.askyesno
    error: Callable[[str, str], Any] = messagebox.showerror
    open_file: Callable[[], str | None] = _ask_open
    save_file: Callable[[str], str | None] = _ask_save


class EditorApp:
    """The main window. ``doc`` is the open ArchiveDocument (None while choosing a class)."""

    def __init__(self, root: tk.Tk, dialogs: Dialogs | None = None,
                 schema_loader: Callable[[str], Any] | None = None):

        self.root = root
        self.dialogs = dialogs or Dialogs()
        self.load_schemas = schema_loader or load_schema_set
        self.doc: ArchiveDocument | None = None
        self.problems: list = []
        self.editor: FieldEditor | None = None
        self.chooser: ClassChooser | None = None
        self.new_path: Path | None = None
        self.shown_path: str | None = None
        self.status = tk.StringVar(value="")
        root.title("official — NOMAD archive editor")
        root.geometry("1200x820")
        root.protocol("WM_DELETE_WINDOW", self.quit)
        self._build()

    # ----- layout -----------------------------------------------------------------
    def _build(self) -> None:
        menu = tk.Menu(self.root)
        file_menu = tk.Menu(menu, tearoff=False)
        file_menu.add_command(label="New…", accelerator="Ctrl+N", command=self.show_chooser)
        file_menu.add_command(label="Open…", accelerator="Ctrl+O", command=self.open_dialog)
        file_menu.add_command(label="Save", accelerator="Ctrl+S", command=self.save)
        file_menu.add_command(label="Save as…", command=self.save_as)
        file_menu.add_separator()
        file_menu.add_command(label="Quit", command=self.quit)
        edit_menu = tk.Menu(menu, tearoff=False)
        edit_menu.add_command(label="Undo", accelerator="Ctrl+Z", command=self.undo)
        edit_menu.add_command(label="Redo", accelerator="Ctrl+Y", command=self.redo)
        menu.add_cascade(label="File", menu=file_menu)
        menu.add_cascade(label="Edit", menu=edit_menu)
        self.root.configure(menu=menu)

        bar = ttk.Frame(self.root, padding=(6, 4))
        bar.pack(side="top", fill="x")
        self.buttons: dict[str, ttk.Button] = {}
        for label, command in (("New", self.show_chooser), ("Open", self.open_dialog),
                               ("Save", self.save), ("Undo", self.undo), ("Redo", self.redo)):
            button = ttk.Button(bar, text=label, command=command)
            button.pack(side="left", padx=2)
            self.buttons[label] = button
        self.show_empty = tk.BooleanVar(value=True)
        self.empty_toggle = ttk.Checkbutton(bar, text="Show empty fields",
                                            variable=self.show_empty,
                                            command=lambda: self.refresh(rebuild_detail=False))
        self.empty_toggle.pack(side="left", padx=(12, 0))
        self.file_label = ttk.Label(bar, text="", padding=(12, 0))
        self.file_label.pack(side="left")

        ttk.Label(self.root, textvariable=self.status, relief="sunken", anchor="w",
                  padding=(6, 2)).pack(side="bottom", fill="x")
        lower = ttk.Frame(self.root, padding=(6, 0))
        lower.pack(side="bottom", fill="x")
        ttk.Label(lower, text="Problems (the exporter's validator):").pack(anchor="w")
        self.problem_list = tk.Listbox(lower, height=6, foreground="#b00020",
                                       exportselection=False)
        self.problem_list.pack(fill="x")
        self.problem_list.bind("<<ListboxSelect>>", lambda _e: self._goto_problem())

        self.panes = panes = ttk.PanedWindow(self.root, orient="horizontal")
        panes.pack(side="top", fill="both", expand=True, padx=6, pady=4)
        self.archive_tree = ArchiveTree(panes)
        self.tree = self.archive_tree.view
        self.nodes = self.archive_tree.nodes
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._on_select())
        self.detail = ttk.Frame(panes, padding=8)
        panes.add(self.archive_tree, weight=3)
        panes.add(self.detail, weight=2)

        for key, command in (("<Control-s>", self.save), ("<Control-o>", self.open_dialog),
                             ("<Control-n>", self.show_chooser), ("<Control-z>", self.undo),
                             ("<Control-y>", self.redo), ("<Control-Shift-Z>", self.redo)):
            self.root.bind(key, lambda _e, c=command: (c(), "break")[1])

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
        path = self.dialogs.open_file()
        if path:
            self.open_path(path)

    def show_chooser(self, path: str | Path | None = None) -> None:
        """Show the list of classes a new archive can start from (in the empty window)."""
        if self.doc is not None and not self._may_discard():
            return
        self.new_path = Path(path) if path else None
        self.doc = None
        self.archive_tree.clear()
        self._show_problems([])
        sets = [self.load_schemas(name) for name in (SET_2_0, SET_2025_04)]
        self._clear_detail()
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
        self.panes.sashpos(0, max(420, int(self.panes.winfo_width() * 0.58)))
        self.tree.item("data", open=True)

    # ----- tree ---------------------------------------------------------------------
    def refresh(self, select: str | None = None, rebuild_detail: bool = True) -> None:
        """Re-validate, rebuild the tree (keeping open rows) and select ``select``."""
        if self.doc is None:
            return
        selected = select or self.selected_path()
        self.problems = self.doc.problems()
        self.archive_tree.build(self.doc, self.problems, show_empty=self.show_empty.get())
        target = self.archive_tree.nearest(selected) if selected else "data"
        if target:
            self.tree.see(target)
            self.tree.selection_set(target)
            self.tree.focus(target)
        self._show_problems(self.problems)
        self._update_title()
        if rebuild_detail:
            self._show_detail(target)
        elif self.editor is not None:
            self.editor.preview()

    def _revalidate(self) -> None:
        """Validate again and re-mark the rows, without rebuilding the tree."""
        assert self.doc is not None
        self.problems = self.doc.problems()
        self.archive_tree.mark(self.problems)
        self._show_problems(self.problems)
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
        self._show_detail(iid)

    def _on_select(self) -> None:
        # Rebuilding the tree queues selection events; the panel already shows that row.
        chosen = self.selected_path()
        if chosen != self.shown_path:
            self._show_detail(chosen)

    # ----- detail panel ------------------------------------------------------------
    def _clear_detail(self) -> None:
        for child in self.detail.winfo_children():
            child.destroy()
        self.editor = None

    def _show_detail(self, iid: str | None) -> None:
        self._clear_detail()
        self.shown_path = iid
        node = self.nodes.get(iid or "")
        if node is None or self.doc is None:
            return
        title = ttk.Label(self.detail, text=format_path(node.steps),
                          font=("TkDefaultFont", 11, "bold"), wraplength=440)
        title.pack(anchor="w", pady=(0, 6))
        {"quantity": self._detail_quantity, "section": self._detail_section,
         "group": self._detail_group, "absent": self._detail_absent,
         "unknown": self._detail_unknown}[node.kind](node)
        for problem in node.problems if node.kind != "quantity" else ():
            ttk.Label(self.detail, text=f"✗ {problem.path}: {problem.message}",
                      foreground="#b00020", wraplength=440, justify="left").pack(anchor="w")

    def _detail_quantity(self, node: Node) -> None:
        assert self.doc is not None
        steps = node.steps
        value = self.doc.get(steps) if self.doc.exists(steps) else None
        self.editor = FieldEditor(
            self.detail, node.info, value,
            check=lambda v: self.trial_problems(steps, v),
            commit=lambda v: self.commit(steps, v),
            siblings=self.sibling_files(),
        )
        self.editor.pack(fill="x", anchor="w")
        if self.doc.exists(steps):
            self.clear_button = ttk.Button(self.detail, text="Clear value",
                                           command=lambda: self.remove(steps))
            self.clear_button.pack(anchor="w", pady=8)

    def _detail_section(self, node: Node) -> None:
        cls = node.info
        ttk.Label(self.detail, text=f"Section of class {cls.m_def if cls else 'unknown'}",
                  wraplength=440).pack(anchor="w")
        if cls is None and node.steps == ("data",):
            self._class_picker()
        self.section_actions = ttk.Frame(self.detail)
        self.section_actions.pack(anchor="w", pady=8, fill="x")
        if cls is not None and cls.subsections:
            assert self.doc is not None
            section = self.doc.get(node.steps)
            addable = [n for n, s in cls.subsections.items() if s.repeats or n not in section]
            if addable:
                ttk.Label(self.section_actions, text="Add sub-section:").grid(row=0, column=0)
                self.add_choice = ttk.Combobox(self.section_actions, values=addable,
                                               state="readonly", width=30)
                self.add_choice.set(addable[0])
                self.add_choice.grid(row=0, column=1, padx=4)
                self.add_button = ttk.Button(
                    self.section_actions, text="Add",
                    command=lambda: self.add_subsection(node.steps + (self.add_choice.get(),)))
                self.add_button.grid(row=0, column=2)
        if len(node.steps) > 1:
            moves = ttk.Frame(self.detail)
            moves.pack(anchor="w", pady=4)
            if isinstance(node.steps[-1], int):
                self.up_button = ttk.Button(moves, text="Move up",
                                            command=lambda: self.move(node.steps, -1))
                self.down_button = ttk.Button(moves, text="Move down",
                                              command=lambda: self.move(node.steps, 1))
                self.up_button.pack(side="left", padx=2)
                self.down_button.pack(side="left", padx=2)
            self.remove_button = ttk.Button(moves, text="Remove this section",
                                            command=lambda: self.remove(node.steps))
            self.remove_button.pack(side="left", padx=2)

    def _class_picker(self) -> None:
        """For an archive whose class the schema does not know: choose the class."""
        assert self.doc is not None
        current = (self.doc.archive.get("data") or {}).get("m_def")
        ttk.Label(self.detail, foreground="#b35c00", wraplength=440, justify="left",
                  text=f"The class {current!r} is unknown to {self.doc.schemas.name}. "
                  "Choose the class this archive describes:").pack(anchor="w", pady=(6, 2))
        row = ttk.Frame(self.detail)
        row.pack(anchor="w", fill="x")
        classes = [m for _, m in creatable_classes([self.doc.schemas])]
        self.class_choice = ttk.Combobox(row, values=classes, width=52)
        self.class_choice.grid(row=0, column=0)
        self.class_button = ttk.Button(row, text="Set class", command=self._set_class)
        self.class_button.grid(row=0, column=1, padx=4)

    def _set_class(self) -> None:
        assert self.doc is not None
        m_def = self.class_choice.get().strip()
        if self.doc.schemas.get(m_def) is None:
            self.dialogs.error("Unknown class", f"{m_def!r} is not a class of "
                               f"{self.doc.schemas.name}; pick one from the list")
            return
        self.doc.set(("data", "m_def"), m_def)
        self.refresh(select="data")

    def _detail_group(self, node: Node) -> None:
        assert self.doc is not None
        count = len(self.doc.get(node.steps)) if self.doc.exists(node.steps) else 0
        ttk.Label(self.detail, text=f"Repeating sub-section of class {node.info.section}; "
                  f"{count} item(s).", wraplength=440).pack(anchor="w")
        self.add_button = ttk.Button(self.detail, text=f"Add {node.steps[-1]} item",
                                     command=lambda: self.add_subsection(node.steps))
        self.add_button.pack(anchor="w", pady=8)

    def _detail_absent(self, node: Node) -> None:
        ttk.Label(self.detail, text=f"Optional sub-section of class {node.info.section}; "
                  "not present.", wraplength=440).pack(anchor="w")
        self.add_button = ttk.Button(self.detail, text=f"Add {node.steps[-1]}",
                                     command=lambda: self.add_subsection(node.steps))
        self.add_button.pack(anchor="w", pady=8)

    def _detail_unknown(self, node: Node) -> None:
        ttk.Label(self.detail, foreground="#b35c00", wraplength=440, justify="left",
                  text="This key is not in the schema. It is kept and saved as it is, but "
                  "NOMAD would drop it: move its content to a field the schema knows, or "
                  "remove it.").pack(anchor="w")
        text = tk.Text(self.detail, height=12, width=60, wrap="word")
        text.insert("1.0", json.dumps(node.info, indent=2, ensure_ascii=False))
        text.configure(state="disabled")
        text.pack(anchor="w", pady=6, fill="x")
        actions = ttk.Frame(self.detail)
        actions.pack(anchor="w", fill="x")
        self.remove_button = ttk.Button(actions, text="Remove this key",
                                        command=lambda: self.remove(node.steps))
        self.remove_button.grid(row=0, column=0, sticky="w")
        assert self.doc is not None
        cls = self.doc.section_class(node.steps[:-1])
        section = self.doc.get(node.steps[:-1])
        if cls is not None and isinstance(section, dict) and not isinstance(node.steps[-1], int):
            names = [n for n in (*cls.quantities, *cls.subsections) if n not in section]
            if names:
                ttk.Label(actions, text="or rename to:").grid(row=0, column=1, padx=(12, 4))
                self.rename_choice = ttk.Combobox(actions, values=names, width=28)
                self.rename_choice.grid(row=0, column=2)
                self.rename_button = ttk.Button(
                    actions, text="Rename",
                    command=lambda: self.rename(node.steps, self.rename_choice.get()))
                self.rename_button.grid(row=0, column=3, padx=4)

    # ----- edits -------------------------------------------------------------------
    def trial_problems(self, steps: tuple[Step, ...], value: Any) -> list[str]:
        """What the validator would say about ``value`` at ``steps`` (nothing is stored)."""
        assert self.doc is not None
        trial = ArchiveDocument(copy.deepcopy(self.doc.archive), self.doc.schemas,
                                self.doc.path)
        trial.set(steps, value)
        here = format_path(steps)
        return [p.message for p in trial.problems()
                if p.path == here or p.path.startswith((here + ".", here + "["))]

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
        count = len(self.problems)
        self.status.set(f"{iid} set; " + (f"{count} problem(s)" if count else "valid"))

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
    def _show_problems(self, problems: list) -> None:
        self.problem_list.delete(0, "end")
        for problem in problems:
            self.problem_list.insert("end", f"{problem.path}: {problem.message}")
        if self.doc is not None:
            self.status.set(f"{len(problems)} problem(s)" if problems else "valid")

    def _goto_problem(self) -> None:
        chosen = self.problem_list.curselection()
        if chosen and int(chosen[0]) < len(self.problems):
            self.select(self.problems[int(chosen[0])].path)

    def _update_title(self) -> None:
        if self.doc is None:
            name = "new archive"
        else:
            name = self.doc.path.name if self.doc.path else "untitled"
            name += " *" if self.doc.modified else ""
        self.root.title(f"official — {name}")
        self.file_label.configure(text=str(self.doc.path) if self.doc and self.doc.path
                                  else "")


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
