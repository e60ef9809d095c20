"""The right-hand panel: what the selected tree row is and what can be done with it — a
field editor, Add/Remove/Move for sections, Remove/Rename for keys the schema does not know.
Everything wraps to the panel's width, so every button stays reachable at 1200 px."""

from __future__ import annotations

import json
import tkinter as tk
from tkinter import ttk
from typing import Any

from cams_module.editor.help import field_help
from cams_module.schema.paths import format_path

from .profiles import creatable_classes
from .tk_fields import FieldEditor
from .tk_tree import Node
from .tk_widgets import ERROR_COLOUR, HELP_COLOUR, WARNING_COLOUR, ScrollPanel


class DetailPanel(ScrollPanel):
    """Shows the detail of one row; ``app`` is the EditorApp whose edits the buttons run."""

    def __init__(self, master: tk.Misc, app: Any):
        super().__init__(master)
        self.app = app
        self.editor: FieldEditor | None = None
        self.shown_path: str | None = None

    def clear(self) -> None:
        """Show nothing."""
        super().clear()
        self.editor = None

    def show(self, iid: str | None) -> None:
        """Show the row ``iid`` (a key path) of the app's tree."""
        self.clear()
        self.shown_path = iid
        node = self.app.nodes.get(iid or "")
        if node is None or self.app.doc is None:
            return
        self.label(self.body, format_path(node.steps),
                   font=("TkDefaultFont", 11, "bold")).pack(anchor="w", pady=(0, 6))
        {"quantity": self._quantity, "section": self._section, "group": self._group,
         "absent": self._absent, "unknown": self._unknown}[node.kind](node)
        for problem in node.problems if node.kind != "quantity" else ():
            self.label(self.body, f"✗ {problem.path}: {problem.message}",
                       foreground=ERROR_COLOUR).pack(anchor="w", fill="x")
        for warning in self.app.warnings if node.kind == "section" else ():
            if warning.path.rsplit(".", 1)[0] == format_path(node.steps):
                self.label(self.body, f"⚠ {warning.path}: {warning.message}",
                           foreground=WARNING_COLOUR).pack(anchor="w", fill="x")

    # ----- kinds of row ------------------------------------------------------------
    def _quantity(self, node: Node) -> None:
        doc, steps = self.app.doc, node.steps
        value = doc.get(steps) if doc.exists(steps) else None
        data = doc.archive.get("data") if isinstance(doc.archive, dict) else None
        help_text = field_help(getattr(doc.schemas, "name", None),
                               data.get("m_def") if isinstance(data, dict) else None,
                               format_path(steps))
        self.editor = FieldEditor(
            self.body, node.info, value, panel=self, help_text=help_text,
            check=lambda v: self.app.trial_problems(steps, v),
            commit=lambda v: self.app.commit(steps, v),
            siblings=self.app.sibling_files(),
            describe=self.app.describe_reference,
            open_reference=self.app.open_reference,
        )
        self.editor.pack(fill="x", anchor="w")
        if doc.exists(steps):
            self.clear_button = ttk.Button(self.body, text="Clear value",
                                           command=lambda: self.app.remove(steps))
            self.clear_button.pack(anchor="w", pady=8)

    def _section(self, node: Node) -> None:
        cls = node.info
        self.label(self.body, f"Section of class {cls.short_name if cls else 'unknown'}",
                   foreground=HELP_COLOUR).pack(anchor="w", fill="x")
        if cls is None and node.steps == ("data",):
            self._class_picker()
        if cls is not None and cls.subsections:
            section = self.app.doc.get(node.steps)
            addable = [n for n, s in cls.subsections.items() if s.repeats or n not in section]
            if addable:
                row = ttk.Frame(self.body)
                row.pack(anchor="w", pady=8, fill="x")
                ttk.Label(row, text="Add sub-section:").grid(row=0, column=0, sticky="w")
                self.add_choice = ttk.Combobox(row, values=addable, state="readonly", width=24)
                self.add_choice.set(addable[0])
                self.add_choice.grid(row=0, column=1, padx=4, sticky="we")
                self.add_button = ttk.Button(
                    row, text="Add",
                    command=lambda: self.app.add_subsection(node.steps + (self.add_choice.get(),)))
                self.add_button.grid(row=0, column=2, sticky="w")
                row.columnconfigure(1, weight=1)
        if len(node.steps) > 1:
            moves = ttk.Frame(self.body)
            moves.pack(anchor="w", pady=4)
            if isinstance(node.steps[-1], int):
                self.up_button = ttk.Button(moves, text="Move up",
                                            command=lambda: self.app.move(node.steps, -1))
                self.down_button = ttk.Button(moves, text="Move down",
                                              command=lambda: self.app.move(node.steps, 1))
                self.up_button.pack(side="left", padx=2)
                self.down_button.pack(side="left", padx=2)
            self.remove_button = ttk.Button(moves, text="Remove this section",
                                            command=lambda: self.app.remove(node.steps))
            self.remove_button.pack(side="left", padx=2)

    def _class_picker(self) -> None:
        """For an archive whose class the schema does not know: choose the class."""
        doc = self.app.doc
        current = (doc.archive.get("data") or {}).get("m_def")
        self.label(self.body, f"The class {current!r} is unknown to {doc.schemas.name}. "
                   "Choose the class this archive describes:",
                   foreground=WARNING_COLOUR).pack(anchor="w", pady=(6, 2), fill="x")
        row = ttk.Frame(self.body)
        row.pack(anchor="w", fill="x")
        classes = [m for _, m in creatable_classes([doc.schemas])]
        self.class_choice = ttk.Combobox(row, values=classes, width=30)
        self.class_choice.grid(row=0, column=0, sticky="we")
        self.class_button = ttk.Button(row, text="Set class",
                                       command=lambda: self.app.set_class(
                                           self.class_choice.get()))
        self.class_button.grid(row=0, column=1, padx=4)
        row.columnconfigure(0, weight=1)

    def _group(self, node: Node) -> None:
        doc = self.app.doc
        count = len(doc.get(node.steps)) if doc.exists(node.steps) else 0
        self._offer_section(node, "Repeating", f"{count} item(s)", f"Add {node.steps[-1]} item")

    def _absent(self, node: Node) -> None:
        self._offer_section(node, "Optional", "not present", f"Add {node.steps[-1]}")

    def _offer_section(self, node: Node, kind: str, state: str, button: str) -> None:
        """A sub-section's class and state, and the button that adds one."""
        self.label(self.body, f"{kind} sub-section of class "
                   f"{node.info.section.rsplit('.', 1)[-1]}; {state}.",
                   foreground=HELP_COLOUR).pack(anchor="w", fill="x")
        self.add_button = ttk.Button(self.body, text=button,
                                     command=lambda: self.app.add_subsection(node.steps))
        self.add_button.pack(anchor="w", pady=8)

    def _unknown(self, node: Node) -> None:
        self.label(self.body, "This key is not in the schema. It is kept and saved as it is, "
                   "but NOMAD would drop it: move its content to a field the schema knows, "
                   "or remove it.", foreground=WARNING_COLOUR).pack(anchor="w", fill="x")
        shown = json.dumps(node.info, indent=2, ensure_ascii=False)
        text = tk.Text(self.body, height=min(10, shown.count("\n") + 2), width=30, wrap="word")
        text.insert("1.0", shown)
        text.configure(state="disabled")
        text.pack(anchor="w", pady=6, fill="x")
        self.remove_button = ttk.Button(self.body, text="Remove this key",
                                        command=lambda: self.app.remove(node.steps))
        self.remove_button.pack(anchor="w")
        doc = self.app.doc
        cls = doc.section_class(node.steps[:-1])
        section = doc.get(node.steps[:-1])
        if cls is not None and isinstance(section, dict) and not isinstance(node.steps[-1], int):
            names = [n for n in (*cls.quantities, *cls.subsections) if n not in section]
            if names:
                row = ttk.Frame(self.body)
                row.pack(anchor="w", fill="x", pady=(8, 0))
                ttk.Label(row, text="Rename to:").grid(row=0, column=0, sticky="w")
                self.rename_choice = ttk.Combobox(row, values=names, width=20)
                self.rename_choice.grid(row=0, column=1, padx=4, sticky="we")
                self.rename_button = ttk.Button(
                    row, text="Rename",
                    command=lambda: self.app.rename(node.steps, self.rename_choice.get()))
                self.rename_button.grid(row=0, column=2, sticky="w")
                row.columnconfigure(1, weight=1)
