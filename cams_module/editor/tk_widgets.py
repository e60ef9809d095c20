"""Small Tk helpers of the editor: a vertically scrolling panel whose labels wrap to its
width, and Ctrl+A selecting all text in every input."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

HELP_COLOUR = "#555555"
ERROR_COLOUR = "#b00020"
WARNING_COLOUR = "#9a5b00"


class ScrollPanel(ttk.Frame):
    """A frame (``body``) inside a canvas: as wide as the visible area, scrolling vertically
    when its content is taller. Labels made with ``label`` wrap to the width."""

    def __init__(self, master: tk.Misc, padding: int = 8):
        super().__init__(master)
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0)
        self.scroll = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.scroll.set)
        self.scroll.pack(side="right", fill="y")
        self.canvas.pack(side="left", fill="both", expand=True)
        self.body = ttk.Frame(self.canvas, padding=padding)
        self._window = self.canvas.create_window(0, 0, window=self.body, anchor="nw")
        self._labels: list[ttk.Label] = []
        self.padding = padding
        self.body.bind("<Configure>", lambda _e: self._update_region())
        self.canvas.bind("<Configure>", lambda e: self._fit_width(e.width))

    def label(self, parent: tk.Misc, text: str = "", **options: Any) -> ttk.Label:
        """A label that wraps to the panel's width (inset by ``indent`` pixels)."""
        indent = options.pop("indent", 0)
        widget = ttk.Label(parent, text=text, justify="left", **options)
        widget.indent = indent  # type: ignore[attr-defined]
        widget.configure(wraplength=self._wrap(indent))
        self._labels.append(widget)
        return widget

    def clear(self) -> None:
        """Remove everything shown and scroll back to the top."""
        for child in self.body.winfo_children():
            child.destroy()
        self._labels.clear()
        self.canvas.yview_moveto(0)

    def _wrap(self, indent: int) -> int:
        width = self.canvas.winfo_width()
        return max(200, (width if width > 1 else 480) - 2 * self.padding - indent - 8)

    def _fit_width(self, width: int) -> None:
        self.canvas.itemconfigure(self._window, width=width)
        for widget in self._labels:
            if widget.winfo_exists():
                widget.configure(wraplength=self._wrap(widget.indent))  # type: ignore[attr-defined]

    def _update_region(self) -> None:
        self.canvas.configure(scrollregion=self.canvas.bbox("all"))


def _select_all_entry(event: tk.Event) -> str:
    widget = event.widget
    widget.selection_range(0, "end")
    widget.icursor("end")
    return "break"


def _select_all_text(event: tk.Event) -> str:
    widget = event.widget
    widget.tag_add("sel", "1.0", "end-1c")
    widget.mark_set("insert", "end-1c")
    return "break"


def install_select_all(root: tk.Misc) -> None:
    """Ctrl+A selects all the text of an input (entries, drop-downs and text boxes)."""
    for cls in ("TEntry", "TCombobox", "Entry"):
        root.bind_class(cls, "<Control-a>", _select_all_entry)
        root.bind_class(cls, "<Control-A>", _select_all_entry)
    root.bind_class("Text", "<Control-a>", _select_all_text)
    root.bind_class("Text", "<Control-A>", _select_all_text)
