"""The `official` window at 1200×800 and 1400×900: every button of the main views is fully
inside the window (not clipped by a pane), with screenshots; and the behaviours a scientist
asked for (preview, empty fields, Now, Ctrl+A, unsaved marker, step references)."""

from __future__ import annotations

import json
import tkinter as tk
from datetime import datetime
from tkinter import ttk

import pytest

from cams_module.editor.tk_app import EditorApp
from cams_module.editor.tk_dialogs import Dialogs

pytestmark = pytest.mark.gui

RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
UNKNOWN = "data.cleaning_steps[0].cleaning_dumping[0].rinser_name"
SIZES = [(1200, 800), (1400, 900)]


def clipped_by(widget: tk.Misc) -> str | None:
    """The first ancestor (up to the window) that does not fully show ``widget``, or None."""
    if not widget.winfo_ismapped():
        return "not shown"
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    right, bottom = x + widget.winfo_width(), y + widget.winfo_height()
    node = widget
    while node is not node.winfo_toplevel():
        node = node.nametowidget(node.winfo_parent())
        px, py = node.winfo_rootx(), node.winfo_rooty()
        if x < px or y < py or right > px + node.winfo_width() or \
                bottom > py + node.winfo_height():
            return str(node)
    return None


def controls(container: tk.Misc) -> list[tk.Misc]:
    """Every button, drop-down and entry inside ``container``."""
    found = []
    for child in container.winfo_children():
        if isinstance(child, ttk.Button | ttk.Combobox | ttk.Entry | ttk.Checkbutton):
            found.append(child)
        found.extend(controls(child))
    return found


def assert_all_reachable(app: EditorApp, view: str) -> int:
    app.root.update()
    widgets = controls(app.panel.body) + list(app.buttons.values()) + [app.empty_toggle]
    bad = {str(w): clipped_by(w) for w in widgets if clipped_by(w)}
    assert bad == {}, f"{view}: clipped {bad}"
    return len(widgets)


def open_at(root, size, path) -> EditorApp:
    root.geometry(f"{size[0]}x{size[1]}+0+0")
    app = EditorApp(root, Dialogs(confirm=lambda *a: True, error=lambda *a: None,
                                  open_file=lambda folder: None, save_file=lambda i: None))
    root.geometry(f"{size[0]}x{size[1]}+0+0")
    assert app.open_path(path)
    root.update()
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_button_is_reachable_in_the_main_views(root, xvfb, upload, size):
    app = open_at(root, size, upload / "Prova_cleaning.archive.json")
    assert (root.winfo_width(), root.winfo_height()) == size
    tag = f"{size[0]}x{size[1]}"
    views = [
        ("number", "data.cleaning_steps[0].tank_temperature", ["apply_button"]),
        ("section", "data.cleaning_steps[0]", ["add_button", "up_button", "remove_button"]),
        ("unknown-key", UNKNOWN, ["remove_button", "rename_button", "rename_choice"]),
        ("datetime", "data.starting_date", ["now_button", "apply_button"]),
    ]
    for name, path, names in views:
        app.select(path)
        count = assert_all_reachable(app, f"{name} at {tag}")
        owner = app.editor if app.editor is not None else app.panel
        for attr in names:
            assert clipped_by(getattr(owner, attr)) is None, (name, attr)
        assert count >= 8
        xvfb.shot_window(f"official-layout-{tag}-{name}", root)

    app.open_path(upload / "Processo_prova.archive.json")
    app.select("data.steps")
    assert_all_reachable(app, f"step list at {tag}")
    for attr in ("add_button", "remove_button", "up_button", "down_button", "open_button"):
        assert clipped_by(getattr(app.editor, attr)) is None, attr
    xvfb.shot_window(f"official-layout-{tag}-steps", root)

    app.show_chooser()
    root.update()
    assert clipped_by(app.chooser.create_button) is None
    xvfb.shot_window(f"official-layout-{tag}-new", root)


def test_the_window_grows_with_the_screen(root, upload):
    app = open_at(root, (1200, 800), upload / "Prova_cleaning.archive.json")
    app.select(UNKNOWN)
    root.update()
    small = app.panel.rename_choice.winfo_width(), app.panel.body.winfo_width()
    root.geometry("1400x900+0+0")
    root.update()
    app.panes.sashpos(0, 600)
    root.update()
    assert app.panel.body.winfo_width() > small[1]
    assert app.panel.rename_choice.winfo_width() > small[0]  # the drop-down stretches


def test_preview_of_the_stored_value_and_empty_fields_are_neutral(root, upload):
    app = open_at(root, (1200, 800), upload / "Prova_cleaning.archive.json")
    app.select("data.cleaning_steps[0].duration")  # minutes
    editor = app.editor
    editor.var.set("00:05:30")
    root.update()
    assert editor.hint.get() == "= 5.5 min (stored)" and editor.message.get() == ""
    editor.var.set("330 s")
    assert editor.hint.get() == "= 5.5 min (stored)"
    editor.var.set("")
    assert editor.message.get() == ""  # not red: the field is optional
    assert editor.hint.get() == "Empty: Apply clears the stored value."
    editor.apply_button.invoke()
    assert not app.doc.exists("data.cleaning_steps[0].duration")
    app.select("data.cleaning_steps[0].notes")  # never set: nothing to say
    assert app.editor.message.get() == "" and app.editor.hint.get() == ""
    app.select("data.cleaning_steps[0].tank_temperature")
    app.editor.var.set("-300")
    assert app.editor.message.get() == "⚠ -300 °C is below absolute zero (-273.15 °C)"
    assert str(app.editor.problem_label.cget("foreground")) == "#9a5b00"  # amber, not red
    app.editor.apply_button.invoke()
    root.update()
    assert app.doc.get("data.cleaning_steps[0].tank_temperature") == -300
    assert app.problem_list.size() == 6 and "⚠" in app.problem_list.line_text(5)
    assert "1 warning(s)" in app.status.get()


def test_now_fills_the_facility_s_zone_without_storing(root, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMS_TIMEZONE", "Asia/Tokyo")
    path = tmp_path / "etch.archive.json"
    path.write_text(json.dumps({"data": {"m_def": RIE}}))
    app = open_at(root, (1200, 800), path)
    app.select("data.starting_date")
    app.editor.now_button.invoke()
    root.update()
    typed = datetime.fromisoformat(app.editor.var.get())
    assert typed.utcoffset().total_seconds() == 9 * 3600
    assert abs((datetime.now(typed.tzinfo) - typed).total_seconds()) < 60
    assert not app.doc.exists("data.starting_date")  # filled in, not applied
    app.editor.apply_button.invoke()
    assert app.doc.get("data.starting_date") == typed.isoformat()


def test_ctrl_a_selects_all_in_inputs(root, xvfb, pump, upload):
    app = open_at(root, (1200, 800), upload / "Prova_cleaning.archive.json")
    app.select("data.name")
    entry = app.editor.input
    entry.focus_force()
    assert pump(lambda: root.focus_get() == entry)
    entry.icursor(3)
    xvfb.xdotool("key", "ctrl+a")
    assert pump(lambda: entry.selection_present())
    assert entry.selection_get() == "Prova cleaning"
    xvfb.xdotool("type", "X")
    assert pump(lambda: app.editor.var.get() == "X")


def test_unsaved_marker_follows_the_real_state(root, upload):
    app = open_at(root, (1200, 800), upload / "Prova_PEB.archive.json")
    assert not root.title().endswith("*")
    app.commit(("data", "name"), "edited")
    assert root.title().endswith("*")
    app.undo()
    assert not root.title().endswith("*")  # back to the file's state
    app.redo()
    assert root.title().endswith("*")


def test_open_starts_in_the_open_file_s_folder(root, upload):
    folders: list = []
    app = EditorApp(root, Dialogs(confirm=lambda *a: True, error=lambda *a: None,
                                  open_file=lambda f: folders.append(f),
                                  save_file=lambda i: None))
    app.open_dialog()
    app.open_path(upload / "Prova_PEB.archive.json")
    app.open_dialog()
    assert folders == [None, str(upload)]


def test_a_step_reference_opens_the_step_in_a_new_window(root, upload):
    app = open_at(root, (1200, 800), upload / "Processo_prova.archive.json")
    assert app.tree.set("data.steps", "value").startswith(
        "Prova cleaning (WetCleaning) — Prova_cleaning.archive.json, ")
    app.select("data.steps")
    editor = app.editor
    editor.listbox.selection_set(2)
    editor.open_button.invoke()
    root.update()
    assert len(app.windows) == 1
    step = app.windows[0]
    assert step.doc.path == upload / app.doc.get("data.steps")[2].split("/")[-1].split("#")[0]
    assert isinstance(step.root, tk.Toplevel) and step.root.title().startswith("official — ")
    step.quit()
    assert not step.root.winfo_exists() and root.winfo_exists()

    editor.var.set("Prova_ebll.archive.json")  # a typo: the closest files first
    editor.add_button.invoke()
    root.update()
    first, second = editor.message.get().split("\n")
    assert first == "'Prova_ebll.archive.json' is not a file in this folder."
    assert second.startswith("Closest: Prova ebl (EBL) — Prova_ebl.archive.json; ")


def test_long_problems_wrap_in_the_problems_pane(root, upload):
    app = open_at(root, (1200, 800), upload / "Prova_cleaning.archive.json")
    pane = app.problem_list
    assert pane.text.cget("wrap") == "word"
    first = pane.line_text(0)
    assert len(first) > 120  # longer than the pane is wide: shown on two display lines
    root.update()
    assert pane.text.bbox("1.end - 1c")[1] > pane.text.bbox("1.0")[1]  # wrapped
    pane.select(2)
    assert app.selected_path() == UNKNOWN


def test_help_under_a_field_says_which_cams_field_fills_it(root, tmp_path):
    path = tmp_path / "etch.archive.json"
    path.write_text(json.dumps({"data": {"m_def": RIE, "etching_steps": [{}]}}))
    app = open_at(root, (1200, 800), path)
    app.select("data.depth_target")
    root.update()
    text = app.editor.help_label.cget("text")
    assert text.startswith("Filled from CAMS: ") and "RIE PlasmaPro › depth_IN (um)" in text
    assert clipped_by(app.editor.help_label) is None
    app.select("data.etching_steps[0].chamber_pressure")  # no CAMS field fills it: no help
    root.update()
    assert not hasattr(app.editor, "help_label")
