"""Input widgets for one quantity: text, number + unit, yes/no, enum, date-time, lists."""

from __future__ import annotations

import json
import tkinter as tk
from collections.abc import Callable
from datetime import datetime
from tkinter import ttk
from typing import Any

from .fields import (
    InputError,
    display,
    expected,
    field_kind,
    is_list,
    parse_items,
    parse_scalar,
    reference_to_file,
)
from .units import unit_label

LONG_TEXT = {"notes", "description", "comment", "comments"}
Check = Callable[[Any], list[str]]
Commit = Callable[[Any], None]


class FieldEditor(ttk.Frame):
    """Edits one quantity. Typing shows problems at once (``check``); Enter, Apply or picking
    from a drop-down stores the value (``commit``)."""

    def __init__(self, master: tk.Misc, quantity: Any, value: Any, *, check: Check,
                 commit: Commit, siblings: list[str] | None = None):
        super().__init__(master)
        self.quantity = quantity
        self.kind = field_kind(quantity)
        self.check_fn = check
        self.commit_fn = commit
        self.siblings = siblings or []
        self.message = tk.StringVar()
        ttk.Label(self, text=f"Expected: {expected(quantity)}", wraplength=420,
                  foreground="#555").grid(row=0, column=0, columnspan=4, sticky="w")
        if is_list(quantity):
            self._build_list(value)
        else:
            self._build_scalar(value)
        self.problem_label = ttk.Label(self, textvariable=self.message, foreground="#b00020",
                                       wraplength=420, justify="left")
        self.problem_label.grid(row=10, column=0, columnspan=4, sticky="w", pady=(6, 0))

    # ----- scalar ----------------------------------------------------------------
    def _multiline(self, value: Any) -> bool:
        if self.kind == "json":
            return True
        shown = display(value)
        return self.kind == "text" and (
            self.quantity.name in LONG_TEXT or "\n" in shown or len(shown) > 80)

    def _shown(self, value: Any) -> str:
        if self.kind == "json" and value is not None:
            return json.dumps(value, indent=2, ensure_ascii=False)
        return display(value)

    def _build_scalar(self, value: Any) -> None:
        self.var = tk.StringVar(value=self._shown(value))
        self.text: tk.Text | None = None
        if self._multiline(value):
            self.text = tk.Text(self, height=12 if self.kind == "json" else 6, width=52,
                                wrap="word", undo=True)
            self.text.insert("1.0", self.var.get())
            self.text.edit_modified(False)
            self.text.bind("<<Modified>>", lambda _e: self._text_changed())
            self.text.bind("<Control-Return>", lambda _e: (self.apply(), "break")[1])
            self.text.grid(row=1, column=0, sticky="we", pady=4)
            self.input = self.text
            ttk.Label(self, text="Ctrl+Enter or Apply stores the text.",
                      foreground="#555").grid(row=2, column=0, sticky="w")
        elif self.kind in ("enum", "bool"):
            choices = ["yes", "no"] if self.kind == "bool" else list(self.quantity.enum or ())
            self.input = ttk.Combobox(self, textvariable=self.var, values=choices,
                                      state="readonly", width=40)
            self.input.bind("<<ComboboxSelected>>", lambda _e: self.apply())
        elif self.kind == "reference" and self.siblings:
            self.input = ttk.Combobox(self, textvariable=self.var, width=60,
                                      values=[reference_to_file(s) for s in self.siblings])
            self.input.bind("<<ComboboxSelected>>", lambda _e: self.apply())
        else:
            self.input = ttk.Entry(self, textvariable=self.var, width=44)
        if self.text is None:
            self.input.grid(row=1, column=0, sticky="we", pady=4)
            self.input.bind("<Return>", lambda _e: self.apply())
            self.input.bind("<KP_Enter>", lambda _e: self.apply())
        unit = getattr(self.quantity, "unit", None)
        if unit and self.kind in ("number", "integer"):
            self.unit_label = ttk.Label(self, text=unit_label(unit))
            self.unit_label.grid(row=1, column=1, sticky="w", padx=4)
        if self.kind == "datetime":
            ttk.Button(self, text="Now", command=self._now).grid(row=1, column=2, padx=2)
        self.apply_button = ttk.Button(self, text="Apply", command=self.apply)
        self.apply_button.grid(row=1, column=3, padx=4, sticky="n")
        self.columnconfigure(0, weight=1)
        self.preview()
        self.var.trace_add("write", lambda *_: self.preview())  # check as you type

    def _text_changed(self) -> None:
        assert self.text is not None
        if self.text.edit_modified():
            self.var.set(self.text.get("1.0", "end-1c"))
            self.text.edit_modified(False)

    def set_text(self, text: str) -> None:
        """Put ``text`` into the input, as if typed (single- or multi-line)."""
        if self.text is not None:
            self.text.delete("1.0", "end")
            self.text.insert("1.0", text)
            self.text.edit_modified(False)
        self.var.set(text)

    def _now(self) -> None:
        self.var.set(datetime.now().astimezone().replace(microsecond=0).isoformat())
        self.apply()

    def parsed(self) -> Any:
        """The typed value, parsed for the quantity (InputError if it does not fit)."""
        if is_list(self.quantity):
            return parse_items(list(self.items), self.quantity)
        return parse_scalar(self.var.get(), self.quantity)

    def preview(self) -> bool:
        """Check what is typed without storing it; show the problems. True when fine."""
        try:
            value = self.parsed()
        except InputError as exc:
            self.message.set(str(exc))
            return False
        problems = self.check_fn(value)
        self.message.set("\n".join(problems))
        return not problems

    def apply(self) -> bool:
        """Store the typed value if it can be read (problems the validator finds are shown,
        and the value is still stored so the user can fix it later). False if unreadable."""
        try:
            value = self.parsed()
        except InputError as exc:
            self.message.set(str(exc))
            return False
        self.commit_fn(value)
        self.show_value(value)
        return True

    def show_value(self, value: Any) -> None:
        """Show a stored value (e.g. after unit conversion) and its problems."""
        if is_list(self.quantity):
            values = value if isinstance(value, list) else []
            self.items = [display(v) for v in values]
            self._fill_list(self._selected())
            self.preview()
        elif self.var.get() != self._shown(value):
            self.set_text(self._shown(value))
        else:
            self.preview()

    # ----- list -----------------------------------------------------------------
    def _build_list(self, value: Any) -> None:
        values = value if isinstance(value, list) else ([] if value is None else [value])
        self.items: list[str] = [display(v) for v in values]
        self.listbox = tk.Listbox(self, height=min(max(len(self.items), 4), 10), width=64,
                                  exportselection=False)
        self.listbox.grid(row=1, column=0, columnspan=4, sticky="we", pady=4)
        self.var = tk.StringVar()
        if self.kind == "reference" and self.siblings:
            self.input = ttk.Combobox(self, textvariable=self.var, width=60,
                                      values=[reference_to_file(s) for s in self.siblings])
        elif self.kind in ("enum", "bool"):
            choices = ["yes", "no"] if self.kind == "bool" else list(self.quantity.enum or ())
            self.input = ttk.Combobox(self, textvariable=self.var, values=choices,
                                      state="readonly", width=40)
        else:
            self.input = ttk.Entry(self, textvariable=self.var, width=44)
        self.input.grid(row=2, column=0, sticky="we")
        self.input.bind("<Return>", lambda _e: self.add_item())
        unit = getattr(self.quantity, "unit", None)
        if unit and self.kind in ("number", "integer"):
            ttk.Label(self, text=unit_label(unit)).grid(row=2, column=1, sticky="w", padx=4)
        buttons = ttk.Frame(self)
        buttons.grid(row=3, column=0, columnspan=4, sticky="w", pady=4)
        self.add_button = ttk.Button(buttons, text="Add", command=self.add_item)
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove_item)
        self.up_button = ttk.Button(buttons, text="Up", command=lambda: self.move_item(-1))
        self.down_button = ttk.Button(buttons, text="Down", command=lambda: self.move_item(1))
        for i, button in enumerate((self.add_button, self.remove_button, self.up_button,
                                    self.down_button)):
            button.grid(row=0, column=i, padx=2)
        self.columnconfigure(0, weight=1)
        self._fill_list()
        self.preview()
        self.var.trace_add("write", lambda *_: self._check_item())

    def _check_item(self) -> None:
        """Check the item being typed (as you type); with nothing typed, check the list."""
        if not self.var.get().strip():
            self.preview()
            return
        try:
            parse_scalar(self.var.get(), self.quantity)
        except InputError as exc:
            self.message.set(str(exc))
        else:
            self.message.set("")

    def _fill_list(self, select: int | None = None) -> None:
        self.listbox.delete(0, "end")
        for item in self.items:
            self.listbox.insert("end", item)
        if select is not None and 0 <= select < len(self.items):
            self.listbox.selection_set(select)

    def _selected(self) -> int | None:
        chosen = self.listbox.curselection()
        return int(chosen[0]) if chosen else None

    def add_item(self) -> None:
        """Append the typed item (checked first) and store the list."""
        text = self.var.get()
        try:
            parse_scalar(text, self.quantity)
        except InputError as exc:
            self.message.set(str(exc))
            return
        self.items.append(display(parse_scalar(text, self.quantity)))
        self.var.set("")
        self._store(len(self.items) - 1)

    def remove_item(self) -> None:
        """Remove the selected item and store the list."""
        index = self._selected()
        if index is not None:
            del self.items[index]
            self._store(min(index, len(self.items) - 1))

    def move_item(self, delta: int) -> None:
        """Move the selected item up (-1) or down (+1) and store the list."""
        index = self._selected()
        if index is None or not 0 <= index + delta < len(self.items):
            return
        self.items.insert(index + delta, self.items.pop(index))
        self._store(index + delta)

    def _store(self, select: int | None) -> None:
        self._fill_list(select)
        self.apply()
