"""Drive the real `official` Tk window under Xvfb: edit, convert units, add sub-steps, save
(files, folders and the window itself: test_official_gui_files.py)."""

from __future__ import annotations

import json

import pytest

from cams_module.editor.tk_app import EditorApp
from tests.gui.official_helpers import Answers, select_row

pytestmark = pytest.mark.gui

RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
TEMPERATURE = "data.cleaning_steps[0].tank_temperature"


def test_edit_with_units_add_a_sub_step_save_and_reload(root, xvfb, pump, upload):
    answers = Answers(confirm=True)
    app = EditorApp(root, answers.dialogs())
    target = upload / "Prova_cleaning.archive.json"
    assert app.open_path(target)
    root.update()
    assert app.tree.exists(TEMPERATURE)
    assert "problem" in app.tree.item(
        "data.cleaning_steps[0].cleaning_dumping[0].rinser_name", "tags")
    assert app.problem_list.size() == 5

    select_row(app, pump, TEMPERATURE)
    editor = app.editor
    assert editor is not None and editor.kind == "number"
    assert editor.unit_label.cget("text") == "°C"
    assert editor.var.get() == "200"
    xvfb.shot("official-01-opened")

    editor.input.focus_force()
    editor.var.set("300 kg")
    editor.input.event_generate("<KeyRelease>", keysym="g")
    root.update()
    assert "cannot be converted into °C" in editor.message.get()
    editor.var.set("300 K")
    editor.input.event_generate("<KeyRelease>", keysym="K")
    root.update()
    assert editor.message.get() == ""  # nothing wrong with 300 K
    editor.input.event_generate("<Return>")
    assert pump(lambda: app.doc.get(TEMPERATURE) == 26.85)
    assert editor.var.get() == "26.85"
    assert app.tree.set(TEMPERATURE, "value") == "26.85"
    xvfb.shot("official-02-converted")

    select_row(app, pump, "data.cleaning_steps")
    app.panel.add_button.invoke()
    assert pump(lambda: app.selected_path() == "data.cleaning_steps[2]")
    assert len(app.doc.get("data.cleaning_steps")) == 3
    select_row(app, pump, "data.cleaning_steps[2].name")
    app.editor.var.set("Final rinse")
    app.editor.apply_button.invoke()
    root.update()
    assert app.doc.get("data.cleaning_steps[2].name") == "Final rinse"
    assert app.tree.item("data.cleaning_steps[2]", "text") == "cleaning_steps[2]  Final rinse"
    xvfb.shot("official-03-sub-step-added")

    app.buttons["Save"].invoke()
    root.update()
    assert len(answers.asked) == 1
    title, question = answers.asked[0]
    assert "5 problem(s)" in question and "rinser_name" in question
    root.update()
    xvfb.shot("official-04-saved")

    saved = json.loads(target.read_text())["data"]
    assert saved["cleaning_steps"][0]["tank_temperature"] == 26.85
    assert [s.get("name") for s in saved["cleaning_steps"]][2] == "Final rinse"
    dumping = saved["cleaning_steps"][0]["cleaning_dumping"][0]
    assert dumping["rinser_name"] == "De ionized water"  # unknown key kept

    reopened = EditorApp(root, answers.dialogs())
    assert reopened.open_path(target)
    assert reopened.doc.get(TEMPERATURE) == 26.85
    assert reopened.tree.exists("data.cleaning_steps[2]")


def test_real_click_and_keystrokes_with_xdotool(root, xvfb, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_cleaning.archive.json")
    app.tree.item("data.cleaning_steps", open=True)
    app.tree.item("data.cleaning_steps[0]", open=True)
    app.tree.see(TEMPERATURE)
    root.update()
    x, y, width, height = app.tree.bbox(TEMPERATURE)
    xvfb.xdotool("mousemove", app.tree.winfo_rootx() + x + 40,
                 app.tree.winfo_rooty() + y + height // 2, "click", "1")
    assert pump(lambda: app.selected_path() == TEMPERATURE and app.editor is not None)

    entry = app.editor.input
    root.update()
    xvfb.xdotool("mousemove", entry.winfo_rootx() + 10, entry.winfo_rooty() + 5, "click", "1")
    assert pump(lambda: root.focus_get() == entry)
    xvfb.xdotool("key", "End")
    for _ in range(3):
        xvfb.xdotool("key", "BackSpace")
    assert pump(lambda: app.editor.var.get() == "")
    xvfb.xdotool("type", "--delay", "20", "1 kg")
    assert pump(lambda: app.editor.var.get() == "1 kg")
    assert pump(lambda: "cannot be converted" in app.editor.message.get())  # as you type
    xvfb.xdotool("key", "Return")
    assert pump(lambda: "cannot be converted" in app.editor.message.get())
    assert app.doc.get(TEMPERATURE) == 200  # refused, nothing stored
    xvfb.shot("official-05-typed-wrong-unit")

    for _ in range(4):
        xvfb.xdotool("key", "BackSpace")
    assert pump(lambda: app.editor.var.get() == "")
    xvfb.xdotool("type", "--delay", "20", "77")
    xvfb.xdotool("key", "Return")
    assert pump(lambda: app.doc.get(TEMPERATURE) == 77)
    xvfb.xdotool("key", "ctrl+z")
    assert pump(lambda: app.doc.get(TEMPERATURE) == 200)
    xvfb.xdotool("key", "ctrl+y")
    assert pump(lambda: app.doc.get(TEMPERATURE) == 77)


def test_new_archive_from_the_class_chooser(root, xvfb, pump, tmp_path):
    out = tmp_path / "etch.archive.json"
    answers = Answers(confirm=False, save_as=out)
    app = EditorApp(root, answers.dialogs())
    app.show_chooser()
    root.update()
    chooser = app.chooser
    first = chooser.shown[0]
    assert first[1].endswith(".FabricationProcess")
    assert {name for name, _ in chooser.shown} == {"fabrication-utilities-2.0",
                                                  "fabrication-utilities-2025.04"}
    chooser.filter.set("dry_etching.RIE")
    root.update()
    assert chooser.select(RIE, "fabrication-utilities-2.0")
    xvfb.shot("official-06-chooser")
    chooser.create_button.invoke()
    assert pump(lambda: app.doc is not None)
    assert app.doc.archive == {"data": {"m_def": RIE}}

    select_row(app, pump, "data.wafer_side")
    assert app.editor.kind == "enum"
    assert list(app.editor.input.cget("values")) == ["front", "back"]
    app.editor.input.set("back")
    app.editor.input.event_generate("<<ComboboxSelected>>")
    assert pump(lambda: app.doc.exists("data.wafer_side"))
    assert app.doc.get("data.wafer_side") == "back"

    select_row(app, pump, "data.starting_date")
    assert app.editor.kind == "datetime"
    app.editor.var.set("2025-03-02T09:00")
    app.editor.input.event_generate("<KeyRelease>", keysym="0")
    root.update()
    assert "no time zone" in app.editor.message.get()
    app.editor.input.event_generate("<Return>")
    root.update()
    assert not app.doc.exists("data.starting_date")  # naive time refused
    app.editor.var.set("2025-03-02T09:00+01:00")
    app.editor.apply_button.invoke()
    root.update()
    assert app.doc.get("data.starting_date") == "2025-03-02T09:00:00+01:00"

    select_row(app, pump, "data.etching_steps")
    app.panel.add_button.invoke()
    assert pump(lambda: app.selected_path() == "data.etching_steps[0]")
    select_row(app, pump, "data.etching_steps[0].chamber_pressure")
    assert app.editor.unit_label.cget("text") == "mbar"
    app.editor.var.set("30 mtorr")
    app.editor.apply_button.invoke()
    root.update()
    assert app.doc.get("data.etching_steps[0].chamber_pressure") == pytest.approx(0.04, rel=1e-3)

    assert app.save()  # valid: no question asked, Save-as gives the name
    assert answers.asked == []
    saved = json.loads(out.read_text())
    assert list(saved["data"]) == ["etching_steps", "m_def", "starting_date", "wafer_side"]
    root.update()
    assert app.file_label.cget("text") == str(out)
    assert "*" not in root.title()
    xvfb.shot("official-07-new-rie-saved")


def test_unknown_keys_shown_flagged_and_removable_with_undo(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_cleaning.archive.json")
    path = "data.cleaning_steps[0].cleaning_dumping[0].rinser_name"
    assert app.nodes[path].kind == "unknown"
    assert app.tree.set(path, "check").startswith("✗")
    app.select(path)
    app.panel.remove_button.invoke()
    root.update()
    assert not app.doc.exists(path)
    assert app.problem_list.size() == 4
    root.event_generate("<Control-z>")
    root.update()
    assert app.doc.get(path) == "De ionized water"
    assert app.problem_list.size() == 5


def test_repeated_sub_steps_reorder_and_remove(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_cleaning.archive.json")
    select_row(app, pump, "data.cleaning_steps[1]")
    app.panel.up_button.invoke()
    assert pump(lambda: app.selected_path() == "data.cleaning_steps[0]")
    assert app.doc.get("data.cleaning_steps[0].name") == "Bagno in ammoniaca"
    app.panel.remove_button.invoke()
    root.update()
    assert [s["name"] for s in app.doc.get("data.cleaning_steps")] == [
        "Bagno in acido cloridrico"]
    app.buttons["Undo"].invoke()
    app.buttons["Undo"].invoke()
    root.update()
    assert app.doc.get("data.cleaning_steps[0].name") == "Bagno in acido cloridrico"
    assert len(app.doc.get("data.cleaning_steps")) == 2


def test_rename_an_unknown_key_and_jump_to_problems(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_cleaning.archive.json")
    app.problem_list.select(2)
    path = "data.cleaning_steps[0].cleaning_dumping[0].rinser_name"
    assert pump(lambda: app.selected_path() == path)
    assert "dumper_name" in app.panel.rename_choice.cget("values")
    app.panel.rename_choice.set("dumper_name")
    app.panel.rename_button.invoke()
    root.update()
    new = "data.cleaning_steps[0].cleaning_dumping[0].dumper_name"
    assert app.selected_path() == new and app.nodes[new].kind == "quantity"
    assert app.editor.var.get() == "De ionized water"
    assert app.problem_list.size() == 4


def test_multi_line_text_and_json_fields(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_drying.archive.json")
    select_row(app, pump, "data.notes")
    assert app.editor.text is not None  # notes get a multi-line box
    app.editor.text.delete("1.0", "end")
    app.editor.text.insert("1.0", "first line\nsecond line")
    app.editor.text.focus_force()
    root.update()
    app.editor.text.event_generate("<Control-Return>")
    root.update()
    assert app.doc.get("data.notes") == "first line\nsecond line"
    assert app.tree.set("data.notes", "value") == "first line ⏎ second line"

    path = ("data.rinsing_drying_steps[0].initial_rinsing_parameters.spinning_parameters"
            ".rotation_ramp.figures[0].figure")
    original = app.doc.get(path)
    select_row(app, pump, path)
    assert app.editor.kind == "json" and app.editor.text is not None
    assert app.editor.text.get("1.0", "2.0").strip() == "{"  # pretty-printed
    app.editor.set_text('{"data": [')
    root.update()
    assert "not valid JSON" in app.editor.message.get()
    app.editor.apply_button.invoke()
    assert app.doc.get(path) == original  # broken JSON is never stored
    app.editor.set_text('{"data": []}')
    app.editor.apply_button.invoke()
    root.update()
    assert app.doc.get(path) == {"data": []}


def test_hiding_empty_fields(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Prova_PEB.archive.json")
    data = app.doc.get("data")
    shown = set(app.tree.get_children("data"))
    assert "data.recipe_file" in shown and "data.recipe_file" not in data
    app.empty_toggle.invoke()
    root.update()
    hidden = {iid.split(".", 1)[1] for iid in app.tree.get_children("data")}
    assert hidden == set(data) - {"m_def"}
    app.empty_toggle.invoke()
    root.update()
    assert set(app.tree.get_children("data")) == shown


def test_an_unknown_class_opens_flagged_and_can_be_chosen(root, pump, tmp_path):
    odd = tmp_path / "odd.archive.json"
    odd.write_text(json.dumps({"data": {"m_def": "my_lab.Etch", "name": "trench",
                                        "pressure": 3}}))
    app = EditorApp(root, Answers().dialogs())
    assert app.open_path(odd)
    assert [p.code for p in app.problems] == ["unknown_class"]
    assert app.nodes["data.pressure"].kind == "unknown"
    app.select("data")
    app.panel.class_choice.set(RIE)
    app.panel.class_button.invoke()
    root.update()
    assert app.doc.get("data.m_def") == RIE
    assert app.nodes["data.name"].kind == "quantity"
    assert [p.path for p in app.problems] == ["data.pressure"]  # still kept, flagged
