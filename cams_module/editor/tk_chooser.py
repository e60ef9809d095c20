"""The "new archive from a class" chooser shown inside the main window."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

Choice = tuple[str, str]  # (schema set name, m_def)


class ClassChooser(ttk.Frame):
    """A filterable list of the classes of both schema sets (process and step classes first);
    ``on_create(set_name, m_def)`` is called with the chosen one."""

    def __init__(self, master: tk.Misc, choices: list[Choice],
                 on_create: Callable[[str, str], None]):
        super().__init__(master, padding=8)
        self.choices = choices
        self.on_create = on_create
        self.shown: list[Choice] = []
        ttk.Label(self, text="New archive: choose what it describes",
                  font=("TkDefaultFont", 11, "bold")).grid(row=0, column=0, columnspan=3,
                                                             sticky="w")
        ttk.Label(self, text="Filter:").grid(row=1, column=0, sticky="w", pady=4)
        self.filter = tk.StringVar()
        self.filter_entry = ttk.Entry(self, textvariable=self.filter, width=30)
        self.filter_entry.grid(row=1, column=1, sticky="we", pady=4)
        self.filter.trace_add("write", lambda *_: self.refill())
        self.sets = sorted({name for name, _ in choices})
        self.set_var = tk.StringVar(value="all plugin versions")
        self.set_box = ttk.Combobox(self, textvariable=self.set_var, state="readonly",
                                    values=["all plugin versions", *self.sets], width=28)
        self.set_box.grid(row=1, column=2, padx=4)
        self.set_box.bind("<<ComboboxSelected>>", lambda _e: self.refill())
        self.listbox = tk.Listbox(self, height=24, width=110, exportselection=False,
                                  font="TkFixedFont")
        self.listbox.grid(row=2, column=0, columnspan=3, sticky="nsew")
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.listbox.yview)
        scroll.grid(row=2, column=3, sticky="ns")
        self.listbox.configure(yscrollcommand=scroll.set)
        self.listbox.bind("<Double-Button-1>", lambda _e: self.create())
        self.listbox.bind("<Return>", lambda _e: self.create())
        self.create_button = ttk.Button(self, text="Create", command=self.create)
        self.create_button.grid(row=3, column=0, sticky="w", pady=6)
        self.rowconfigure(2, weight=1)
        self.columnconfigure(1, weight=1)
        self.refill()

    def refill(self) -> None:
        """Show the classes matching the filter text and the chosen plugin version."""
        needle = self.filter.get().strip().lower()
        wanted = self.set_var.get()
        self.shown = [
            (name, m_def) for name, m_def in self.choices
            if (wanted not in self.sets or name == wanted) and needle in m_def.lower()
        ]
        self.listbox.delete(0, "end")
        for name, m_def in self.shown:
            short = m_def.rsplit(".", 1)[-1]
            self.listbox.insert("end", f"{short:<28} {name:<30} {m_def}")
        if self.shown:
            self.listbox.selection_set(0)

    def select(self, m_def: str, set_name: str | None = None) -> bool:
        """Select the row of ``m_def`` (in ``set_name`` if given); False if not shown."""
        for index, (name, shown) in enumerate(self.shown):
            if shown == m_def and (set_name is None or name == set_name):
                self.listbox.selection_clear(0, "end")
                self.listbox.selection_set(index)
                self.listbox.see(index)
                return True
        return False

    def create(self) -> None:
        """Create a new archive of the selected class."""
        chosen = self.listbox.curselection()
        if chosen:
            self.on_create(*self.shown[int(chosen[0])])
