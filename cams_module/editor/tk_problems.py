"""The problems pane: the validator's errors (red) and the plausibility warnings (amber), one
wrapped paragraph each; clicking one selects its field."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from .tk_widgets import ERROR_COLOUR, WARNING_COLOUR


class ProblemPane(ttk.Frame):
    """Lists problems and warnings; ``on_pick(path)`` is called with a clicked one's path."""

    def __init__(self, master: tk.Misc, on_pick: Callable[[str], None], height: int = 5):
        super().__init__(master)
        self.on_pick = on_pick
        self.entries: list = []
        self.heading = ttk.Label(self, text="Problems (the exporter's validator) and warnings:")
        self.heading.pack(anchor="w")
        box = ttk.Frame(self)
        box.pack(fill="both", expand=True)
        self.text = tk.Text(box, height=height, wrap="word", cursor="arrow", borderwidth=1,
                            relief="sunken", padx=4, pady=2, takefocus=False)
        scroll = ttk.Scrollbar(box, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scroll.set)
        scroll.pack(side="right", fill="y")
        self.text.pack(side="left", fill="both", expand=True)
        self.text.tag_configure("error", foreground=ERROR_COLOUR, lmargin2=18)
        self.text.tag_configure("warning", foreground=WARNING_COLOUR, lmargin2=18)
        self.text.tag_configure("chosen", background="#dde6f5")
        self.text.bind("<Button-1>", self._clicked)
        self.text.configure(state="disabled")

    def show(self, problems: list, warnings: list) -> None:
        """Show the errors, then the warnings."""
        self.entries = [*problems, *warnings]
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        for index, entry in enumerate(self.entries):
            warning = getattr(entry, "severity", "error") == "warning"
            mark = "⚠" if warning else "✗"
            tags = ("warning" if warning else "error", f"row{index}")
            self.text.insert("end", f"{mark} {entry.path}: {entry.message}", tags)
            if index < len(self.entries) - 1:
                self.text.insert("end", "\n")
        self.text.configure(state="disabled")

    def size(self) -> int:
        """How many problems and warnings are listed."""
        return len(self.entries)

    def line_text(self, index: int) -> str:
        """The text shown for entry ``index``."""
        ranges = self.text.tag_ranges(f"row{index}")
        return self.text.get(ranges[0], ranges[1]) if ranges else ""

    def select(self, index: int) -> None:
        """Highlight entry ``index`` and go to its field."""
        if not 0 <= index < len(self.entries):
            return
        self.text.tag_remove("chosen", "1.0", "end")
        ranges = self.text.tag_ranges(f"row{index}")
        if ranges:
            self.text.tag_add("chosen", ranges[0], ranges[1])
        self.on_pick(self.entries[index].path)

    def _clicked(self, event: tk.Event) -> str:
        where = self.text.index(f"@{event.x},{event.y}")
        for tag in self.text.tag_names(where):
            if tag.startswith("row"):
                self.select(int(tag[3:]))
                break
        return "break"
