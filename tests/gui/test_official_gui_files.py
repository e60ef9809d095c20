"""Drive the real `official` Tk window under Xvfb: its files and folders (saving an invalid
archive, process steps picked from the folder, opening with unsaved changes, broken files,
every plugin example) and the window itself (entry points, the `official` command)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cams_module.editor.tk_app import EditorApp
from cams_module.editor.tk_window import build_window
from tests.fixtures.child_processes import spawn
from tests.gui.official_helpers import Answers, select_row

pytestmark = pytest.mark.gui


def test_saving_an_invalid_archive_asks_and_no_keeps_the_file(root, pump, upload):
    answers = Answers(confirm=False)
    app = EditorApp(root, answers.dialogs())
    target = upload / "Prova_cleaning.archive.json"
    before = target.read_text()
    app.open_path(target)
    select_row(app, pump, "data.name")
    app.editor.var.set("changed")
    app.editor.apply_button.invoke()
    assert app.save() is False
    assert answers.asked and answers.asked[0][0] == "Save with problems?"
    assert target.read_text() == before
    assert root.title().endswith("*")


def test_process_steps_picked_from_the_folder_and_reordered(root, pump, upload):
    app = EditorApp(root, Answers().dialogs())
    app.open_path(upload / "Processo_prova.archive.json")
    select_row(app, pump, "data.steps")
    editor = app.editor
    assert editor.kind == "reference"
    choices = list(editor.input.cget("values"))  # steps by name and class, then file
    assert "Prova PEB (Baking) — Prova_PEB.archive.json" in choices
    assert not any("Processo_prova" in c for c in choices)
    assert editor.listbox.get(0) == \
        "1. Prova cleaning (WetCleaning) — Prova_cleaning.archive.json"
    steps = app.doc.get("data.steps")
    assert len(steps) == 8

    editor.input.set("Prova ebl (EBL) — Prova_ebl.archive.json")
    editor.add_button.invoke()
    root.update()
    assert app.doc.get("data.steps")[-1].endswith("Prova_ebl.archive.json#data")
    editor.listbox.selection_clear(0, "end")
    editor.listbox.selection_set(8)
    editor.up_button.invoke()
    root.update()
    assert app.doc.get("data.steps")[7].endswith("Prova_ebl.archive.json#data")
    editor.listbox.selection_clear(0, "end")
    editor.listbox.selection_set(7)
    editor.remove_button.invoke()
    root.update()
    assert app.doc.get("data.steps") == steps
    assert app.problems == []

    editor.var.set("Missing.archive.json")  # a file that is not in the folder
    editor.add_button.invoke()
    root.update()
    assert app.doc.get("data.steps")[-1] == \
        "../upload/archive/mainfile/Missing.archive.json#data"
    assert [p.code for p in app.problems] == ["reference"]
    assert "problem" in app.tree.item("data.steps", "tags")
    assert app.tree.set("data.steps", "check") == "✗ reference"
    assert editor.message.get().startswith(
        "'Missing.archive.json' is not a file in this folder.\n")
    editor.listbox.selection_clear(0, "end")
    editor.listbox.selection_set(8)
    editor.remove_button.invoke()
    root.update()
    assert app.problems == [] and editor.message.get() == ""
    assert "problem" not in app.tree.item("data.steps", "tags")
    assert app.tree.set("data", "check") == ""


def test_window_entry_points_and_closing_with_unsaved_changes(xvfb, pump, upload, tmp_path):
    answers = Answers(confirm=False)
    app = build_window(str(upload / "Prova_PEB.archive.json"), dialogs=answers.dialogs())
    try:
        assert app.doc is not None and app.doc.path.name == "Prova_PEB.archive.json"
        app.commit(("data", "name"), "edited")
        app.quit()  # asks; the scripted answer is "no": the window stays
        assert answers.asked[-1][0] == "Unsaved changes"
        assert app.root.winfo_exists()
    finally:
        app.root.destroy()

    fresh = tmp_path / "new" / "bake.archive.json"
    fresh.parent.mkdir()
    app = build_window(str(fresh), dialogs=answers.dialogs())
    try:
        assert app.doc is None and app.chooser is not None
        app.chooser.filter.set("Baking")
        app.root.update()
        assert app.chooser.select(
            "schema_packages.steps.transform.thermal_process.baking.Baking")
        app.chooser.create_button.invoke()
        assert app.save()  # saved under the name given on the command line, no question
        assert json.loads(fresh.read_text())["data"]["m_def"].endswith(".Baking")
    finally:
        app.root.destroy()


def test_every_plugin_example_opens_with_the_validator_s_problems(root, upload):
    app = EditorApp(root, Answers().dialogs())
    for path in sorted(upload.glob("*.archive.json")):
        assert app.open_path(path)
        root.update()
        assert app.tree.exists("data")
        assert app.problem_list.size() == len(app.doc.problems())
        expected = 5 if path.name == "Prova_cleaning.archive.json" else 0
        assert app.problem_list.size() == expected, path.name


def test_open_asks_before_dropping_changes_and_reports_broken_files(root, pump, upload):
    broken = upload / "broken.archive.json"
    broken.write_text('{"data": ')
    answers = Answers(confirm=False, open_path=upload / "Prova_PEB.archive.json")
    app = EditorApp(root, answers.dialogs())
    app.open_path(upload / "Prova_ebl.archive.json")
    app.commit(("data", "name"), "edited")
    app.buttons["Open"].invoke()  # "discard changes?" -> no: stays on the edited file
    assert answers.asked[-1][0] == "Unsaved changes"
    assert app.doc.path.name == "Prova_ebl.archive.json"
    answers.confirm_answer = True
    app.buttons["Open"].invoke()
    assert app.doc.path.name == "Prova_PEB.archive.json"
    assert app.open_path(broken) is False
    assert "not valid JSON at line 1" in answers.errors[-1]
    assert app.doc.path.name == "Prova_PEB.archive.json"


def test_the_official_command_opens_its_window(xvfb, upload):
    proc = spawn(
        [sys.executable, "-m", "cams_module.official", str(upload / "Prova_PEB.archive.json")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--name", "^official .*Prova_PEB"],
            capture_output=True, text=True, timeout=60,
        )
        assert found.returncode == 0 and found.stdout.strip()
        assert proc.poll() is None  # the window is up and running its main loop
        xvfb.shot("official-08-command-window")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
