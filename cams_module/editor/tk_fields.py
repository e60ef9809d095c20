"""Input widgets for one quantity: text, number + unit, yes/no, enum, date-time, references,
lists. Typing checks at once and previews what will be stored; an empty optional field is
neutral (Apply clears it); help says which CAMS field fills it."""

from __future__ import annotations

import json
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import Any

from .fields import (
    InputError,
    display,
    expected,
    facility_now,
    field_kind,
    is_empty,
    is_list,
    parse_items,
    parse_scalar,
    reference_to_file,
    stored_text,
)
from .tk_widgets import ERROR_COLOUR, HELP_COLOUR, WARNING_COLOUR
from .units import unit_label

LONG_TEXT = {"notes", "description", "comment", "comments"}
Check = Callable[[Any], list[tuple[str, str]]]  # value -> [(severity, message)]
Commit = Callable[[Any], None]


class FieldEditor(ttk.Frame):
    """Edits one quantity. Typing shows problems at once (``check``); Enter, Apply or picking
    from a drop-down stores the value (``commit``)."""

    def __init__(self, master: tk.Misc, quantity: Any, value: Any, *, panel: Any,
                 check: Check, commit: Commit, siblings: list[str] | None = None,
                 describe: Callable[[str], str] | None = None,
                 open_reference: Callable[[str], Any] | None = None,
                 help_text: str | None = None):
        super().__init__(master)
        self.quantity = quantity
        self.kind = field_kind(quantity)
        self.check_fn = check
        self.commit_fn = commit
        self.siblings = siblings or []
        self.describe = describe or (lambda ref: ref)
        self.open_reference = open_reference
        self.stored = value
        self.message = tk.StringVar()
        self.hint = tk.StringVar()
        if help_text:
            self.help_label = panel.label(self, help_text, foreground=HELP_COLOUR)
            self.help_label.grid(row=0, column=0, columnspan=4, sticky="we", pady=(0, 4))
        panel.label(self, f"Expected: {expected(quantity)}", foreground=HELP_COLOUR).grid(
            row=1, column=0, columnspan=4, sticky="w")
        self.refs = self.kind == "reference"
        self.ref_labels: dict[str, str] = {}  # shown label -> reference
        if self.refs:
            for name in self.siblings:
                ref = reference_to_file(name)
                self.ref_labels[self.describe(ref)] = ref
        self.hint_label = panel.label(self, textvariable=self.hint, foreground=HELP_COLOUR)
        self.hint_label.grid(row=9, column=0, columnspan=4, sticky="w")
        self.problem_label = panel.label(self, textvariable=self.message,
                                         foreground=ERROR_COLOUR)
        self.problem_label.grid(row=10, column=0, columnspan=4, sticky="w", pady=(6, 0))
        if is_list(quantity):
            self._build_list(value)
        else:
            self._build_scalar(value)

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
        if self.refs and isinstance(value, str):
            return self.describe(value) if self.describe(value) in self.ref_labels else value
        return display(value)

    def _reference_box(self, row: int) -> ttk.Combobox:
        box = ttk.Combobox(self, textvariable=self.var, width=30,
                           values=list(self.ref_labels))
        box.grid(row=row, column=0, sticky="we", pady=4)
        return box

    def _build_scalar(self, value: Any) -> None:
        self.var = tk.StringVar(value=self._shown(value))
        self.text: tk.Text | None = None
        if self._multiline(value):
            self.text = tk.Text(self, height=10 if self.kind == "json" else 5, width=30,
                                wrap="word", undo=True)
            self.text.insert("1.0", self.var.get())
            self.text.edit_modified(False)
            self.text.bind("<<Modified>>", lambda _e: self._text_changed())
            self.text.bind("<Control-Return>", lambda _e: (self.apply(), "break")[1])
            self.text.grid(row=2, column=0, sticky="we", pady=4)
            self.input = self.text
            ttk.Label(self, text="Ctrl+Enter or Apply stores the text.",
                      foreground=HELP_COLOUR).grid(row=3, column=0, sticky="w")
        elif self.kind in ("enum", "bool"):
            choices = ["yes", "no"] if self.kind == "bool" else list(self.quantity.enum or ())
            self.input = ttk.Combobox(self, textvariable=self.var, values=choices,
                                      state="readonly", width=24)
            self.input.bind("<<ComboboxSelected>>", lambda _e: self.apply())
        elif self.refs:
            self.input = self._reference_box(2)
            self.input.bind("<<ComboboxSelected>>", lambda _e: self.apply())
        else:
            self.input = ttk.Entry(self, textvariable=self.var, width=24)
        if self.text is None:
            self.input.grid(row=2, column=0, sticky="we", pady=4)
            self.input.bind("<Return>", lambda _e: self.apply())
            self.input.bind("<KP_Enter>", lambda _e: self.apply())
        unit = getattr(self.quantity, "unit", None)
        if unit and self.kind in ("number", "integer"):
            self.unit_label = ttk.Label(self, text=unit_label(unit))
            self.unit_label.grid(row=2, column=1, sticky="w", padx=4)
        if self.kind == "datetime":
            self.now_button = ttk.Button(self, text="Now", width=5, command=self._now)
            self.now_button.grid(row=2, column=2, padx=2)
        if self.refs and self.open_reference is not None:
            self.open_button = ttk.Button(self, text="Open step", command=self._open_scalar)
            self.open_button.grid(row=2, column=2, padx=2)
        self.apply_button = ttk.Button(self, text="Apply", width=7, command=self.apply)
        self.apply_button.grid(row=2, column=3, padx=4, sticky="n")
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
        """Fill in the current time in the facility's zone; Apply (or Enter) stores it."""
        self.var.set(facility_now())
        self.input.focus_set()

    def _open_scalar(self) -> None:
        if self.open_reference is not None and isinstance(self.stored, str):
            self.open_reference(self.stored)

    def _typed(self, text: str) -> Any:
        """Parse one typed value; a step label from the drop-down stands for its reference."""
        if self.refs and text in self.ref_labels:
            return self.ref_labels[text]
        return parse_scalar(text, self.quantity)

    def parsed(self) -> Any:
        """The typed value, parsed for the quantity ('' for an emptied field; InputError if
        it does not fit)."""
        if is_list(self.quantity):
            return parse_items(list(self.items), self.quantity)
        if self.kind != "text" and is_empty(self.var.get()):
            return ""
        return self._typed(self.var.get())

    def preview(self) -> bool:
        """Check what is typed without storing it; show the problems (red), warnings (amber)
        and what would be stored. True when there is no error."""
        self.hint.set("")
        try:
            value = self.parsed()
        except InputError as exc:
            self._say([("error", str(exc))])
            return False
        if value == "" and not is_list(self.quantity):
            self._say([])
            if self.stored is not None:
                self.hint.set("Empty: Apply clears the stored value.")
            return True
        findings = self.check_fn(value)
        self._say(findings)
        if self.kind in ("number", "integer") and not is_list(self.quantity) and \
                self.var.get().strip() != display(value):
            self.hint.set(f"= {stored_text(value, self.quantity)} (stored)")
        elif self.refs and not is_list(self.quantity) and isinstance(value, str):
            self.hint.set(self.describe(value))
        return not any(severity == "error" for severity, _ in findings)

    def _say(self, findings: list[tuple[str, str]]) -> None:
        errors = any(severity == "error" for severity, _ in findings)
        self.problem_label.configure(foreground=ERROR_COLOUR if errors else WARNING_COLOUR)
        self.message.set("\n".join(text if severity == "error" else f"⚠ {text}"
                                    for severity, text in findings))

    def apply(self) -> bool:
        """Store the typed value if it can be read (problems the validator finds are shown,
        and the value is still stored so the user can fix it later). False if unreadable."""
        try:
            value = self.parsed()
        except InputError as exc:
            self._say([("error", str(exc))])
            return False
        self.commit_fn(value)
        self.stored = None if value in ("", []) else value
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
        self.listbox = tk.Listbox(self, height=min(max(len(self.items), 4), 10), width=30,
                                  exportselection=False)
        self.listbox.grid(row=2, column=0, columnspan=4, sticky="we", pady=4)
        self.var = tk.StringVar()
        if self.refs:
            self.input = self._reference_box(3)
        elif self.kind in ("enum", "bool"):
            choices = ["yes", "no"] if self.kind == "bool" else list(self.quantity.enum or ())
            self.input = ttk.Combobox(self, textvariable=self.var, values=choices,
                                      state="readonly", width=24)
        else:
            self.input = ttk.Entry(self, textvariable=self.var, width=24)
        self.input.grid(row=3, column=0, sticky="we")
        self.input.bind("<Return>", lambda _e: self.add_item())
        unit = getattr(self.quantity, "unit", None)
        if unit and self.kind in ("number", "integer"):
            ttk.Label(self, text=unit_label(unit)).grid(row=3, column=1, sticky="w", padx=4)
        buttons = ttk.Frame(self)
        buttons.grid(row=4, column=0, columnspan=4, sticky="w", pady=4)
        self.add_button = ttk.Button(buttons, text="Add", command=self.add_item)
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove_item)
        self.up_button = ttk.Button(buttons, text="Up", command=lambda: self.move_item(-1))
        self.down_button = ttk.Button(buttons, text="Down", command=lambda: self.move_item(1))
        row = [self.add_button, self.remove_button, self.up_button, self.down_button]
        if self.refs and self.open_reference is not None:
            self.open_button = ttk.Button(buttons, text="Open step", command=self._open_item)
            row.append(self.open_button)
        for i, button in enumerate(row):
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
            self._typed(self.var.get())
        except InputError as exc:
            self._say([("error", str(exc))])
        else:
            self._say([])

    def _fill_list(self, select: int | None = None) -> None:
        self.listbox.delete(0, "end")
        for index, item in enumerate(self.items):
            shown = self.describe(item) if self.refs else item
            self.listbox.insert("end", f"{index + 1}. {shown}" if self.refs else shown)
        if select is not None and 0 <= select < len(self.items):
            self.listbox.selection_set(select)

    def _selected(self) -> int | None:
        chosen = self.listbox.curselection()
        return int(chosen[0]) if chosen else None

    def _open_item(self) -> None:
        index = self._selected()
        if index is not None and self.open_reference is not None:
            self.open_reference(self.items[index])

    def add_item(self) -> None:
        """Append the typed item (checked first) and store the list."""
        try:
            value = self._typed(self.var.get())
        except InputError as exc:
            self._say([("error", str(exc))])
            return
        self.items.append(display(value))
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
