"""The archive as a Tk tree: one row per quantity, section, sub-section group or unknown key.

Row ids are key paths (``data.etching_steps[0].chamber_pressure``), so a validator
Problem's path finds its row directly.
"""

from __future__ import annotations

import json
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from tkinter import ttk
from typing import Any

from cams_module.schema.paths import Step, format_path, parse_path

from .document import ArchiveDocument
from .fields import display, field_kind, is_list
from .units import unit_label

UNKNOWN_MARK = "⚠ not in schema"


@dataclass
class Node:
    """What a tree row stands for: a quantity, a section, a repeating group, a missing
    sub-section (``absent``), or a key the schema does not know (``unknown``)."""

    kind: str
    steps: tuple[Step, ...]
    info: Any = None
    problems: list = field(default_factory=list)


class ArchiveTree(ttk.Frame):
    """A Treeview of an ArchiveDocument with problem marks; ``nodes`` maps row id -> Node."""

    def __init__(self, master: tk.Misc):
        super().__init__(master)
        self.view = ttk.Treeview(self, columns=("value", "unit", "check"), selectmode="browse")
        for column, title, width in (("#0", "Key", 240), ("value", "Value", 160),
                                     ("unit", "Unit", 50), ("check", "Check", 90)):
            self.view.heading(column, text=title)
            self.view.column(column, width=width, minwidth=50)
        self.view.tag_configure("problem", foreground="#b00020")
        self.view.tag_configure("unknown", foreground="#b35c00")
        self.view.tag_configure("empty", foreground="#888888")
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.view.yview)
        self.view.configure(yscrollcommand=scroll.set)
        self.view.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self.nodes: dict[str, Node] = {}
        self.doc: ArchiveDocument | None = None
        self._marked: set[str] = set()
        self.show_empty = True
        self.describe: Callable[[str], str] = lambda reference: reference

    def clear(self) -> None:
        """Remove every row."""
        self.view.delete(*self.view.get_children())
        self.nodes.clear()
        self._marked.clear()

    def build(self, doc: ArchiveDocument, problems: list, show_empty: bool = True) -> None:
        """Show ``doc`` (rows that were open stay open) and mark ``problems``; without
        ``show_empty`` only what the archive holds gets a row."""
        opened = {iid for iid in self.nodes
                  if self.view.exists(iid) and self.view.item(iid, "open")}
        self.doc = doc
        self.show_empty = show_empty
        self.clear()
        data = doc.archive.get("data")
        self._add_section("", ("data",), data if isinstance(data, dict) else {})
        for key in doc.archive:
            if key != "data":
                self._add_unknown("", (key,), doc.archive[key])
        self.mark(problems)
        for iid in opened:
            if self.view.exists(iid):
                self.view.item(iid, open=True)

    def nearest(self, path: str) -> str:
        """The row of ``path``, or of its closest ancestor that has a row."""
        steps = parse_path(path) if path else ()
        while steps:
            iid = format_path(steps)
            if self.view.exists(iid):
                return iid
            steps = steps[:-1]
        return "data" if self.view.exists("data") else ""

    def show_value(self, iid: str, section: Any) -> None:
        """Show a quantity row's stored value (grey and empty when it is not set)."""
        node = self.nodes[iid]
        name = node.steps[-1]
        present = isinstance(section, dict) and name in section
        value = section.get(name) if present else None
        refs = field_kind(node.info) == "reference"
        if not present:
            shown = ""
        elif is_list(node.info) and isinstance(value, list):
            shown = ", ".join(self.describe(v) if refs and isinstance(v, str) else display(v)
                              for v in value)
        elif refs and isinstance(value, str):
            shown = self.describe(value)
        else:
            shown = display(value)
        shown = shown.replace("\n", " ⏎ ")
        self.view.set(iid, "value", shown if len(shown) <= 100 else shown[:97] + "...")
        self.view.item(iid, tags=() if present else ("empty",))
        owner = node.steps[:-1]
        if name == "name" and owner and isinstance(owner[-1], int):
            self.view.item(format_path(owner), text=_item_label(owner, section))

    def mark(self, problems: list) -> None:
        """Mark the rows of ``problems`` (red, with the code) and their sections."""
        for iid in self._marked:
            node = self.nodes[iid]
            node.problems.clear()
            tags = [t for t in self.view.item(iid, "tags") if t != "problem"]
            self.view.item(iid, tags=tuple(tags))
            self.view.set(iid, "check", UNKNOWN_MARK if node.kind == "unknown" else "")
        self._marked.clear()
        for problem in problems:
            iid = self.nearest(problem.path)
            if not iid:
                continue
            self.nodes[iid].problems.append(problem)
            self.view.item(iid, tags=tuple(set(self.view.item(iid, "tags")) | {"problem"}))
            self.view.set(iid, "check", f"✗ {problem.code}")
            self._marked.add(iid)
            parent = self.view.parent(iid)
            while parent and parent not in self._marked:
                self.view.set(parent, "check", "✗ inside")
                self._marked.add(parent)
                parent = self.view.parent(parent)

    # ----- rows ----------------------------------------------------------------------
    def _add_section(self, parent: str, steps: tuple[Step, ...], section: dict,
                     label: str | None = None) -> None:
        assert self.doc is not None
        iid = format_path(steps)
        cls = self.doc.section_class(steps)
        name = cls.short_name if cls is not None else "(unknown class)"
        self.view.insert(parent, "end", iid=iid, text=label or str(steps[-1]),
                         values=(name, "", ""))
        self.nodes[iid] = Node("section", steps, cls)
        if cls is None:
            for key, value in section.items():
                if key != "m_def":
                    self._add_unknown(iid, steps + (key,), value)
            return
        for qname, quantity in cls.quantities.items():
            if self.show_empty or qname in section:
                self._add_quantity(iid, steps + (qname,), quantity, section)
        for sname, sub in cls.subsections.items():
            if self.show_empty or sname in section:
                self._add_subsection(iid, steps + (sname,), sub, section)
        known = {"m_def", *cls.quantities, *cls.subsections}
        for key, value in section.items():
            if key not in known:
                self._add_unknown(iid, steps + (key,), value)

    def _add_subsection(self, parent: str, steps: tuple[Step, ...], sub: Any,
                        section: dict) -> None:
        iid = format_path(steps)
        name = str(steps[-1])
        value = section.get(name)
        if sub.repeats and isinstance(value, list):
            self.view.insert(parent, "end", iid=iid, text=name,
                             values=(f"{len(value)} item(s)", "", ""))
            self.nodes[iid] = Node("group", steps, sub)
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    label = _item_label(steps + (index,), item)
                    self._add_section(iid, steps + (index,), item, label)
                else:
                    self._add_unknown(iid, steps + (index,), item)
        elif isinstance(value, dict) and not sub.repeats:
            self._add_section(parent, steps, value)
        elif name in section:  # the wrong shape: kept and flagged like an unknown key
            self._add_unknown(parent, steps, value)
        else:
            text = "0 item(s)" if sub.repeats else "(none — select to add)"
            self.view.insert(parent, "end", iid=iid, text=name, values=(text, "", ""),
                             tags=("empty",))
            self.nodes[iid] = Node("group" if sub.repeats else "absent", steps, sub)

    def _add_quantity(self, parent: str, steps: tuple[Step, ...], quantity: Any,
                      section: dict) -> None:
        iid = format_path(steps)
        unit = unit_label(quantity.unit) if quantity.unit else ""
        self.view.insert(parent, "end", iid=iid, text=str(steps[-1]), values=("", unit, ""))
        self.nodes[iid] = Node("quantity", steps, quantity)
        self.show_value(iid, section)

    def _add_unknown(self, parent: str, steps: tuple[Step, ...], value: Any) -> None:
        iid = format_path(steps)
        text = json.dumps(value, ensure_ascii=False)
        text = text if len(text) <= 60 else text[:57] + "..."
        self.view.insert(parent, "end", iid=iid, text=str(steps[-1]),
                         values=(text, "", UNKNOWN_MARK), tags=("unknown",))
        self.nodes[iid] = Node("unknown", steps, value)


def _item_label(steps: tuple[Step, ...], item: Any) -> str:
    """``etching_steps[0]  main etch``: a repeated item's row label, with its name if any."""
    label = f"{steps[-2]}[{steps[-1]}]"
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        label += f"  {item['name']}"
    return label
