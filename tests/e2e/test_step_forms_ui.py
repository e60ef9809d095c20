"""The step form is its type's form (headless Chromium at 1400x900 against the demo).

Typed inputs under the CAMS names with units in the labels; letters in a number are
refused by the form; a new step of a type picked by name from a searchable list is saved
into that type's own table and read back by the reader.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import FORM
from tests.fixtures.browser import open_page
from tests.fixtures.cams_task import JAM_MAJOR

pytestmark = pytest.mark.browser
STEP_FORM = ".processes-steps.edit-form"


@pytest.fixture
def wide_page(browser, request):
    """A page at the facility's screen size, 1400x900."""
    with open_page(browser, request, viewport={"width": 1400, "height": 900}) as tab:
        yield tab


def log_in(demo, page) -> None:
    ui.log_in(page, demo.cams_url, "m.rossi", demo.users()["users"]["m.rossi"]["password"])


def field_input(page, label: str):
    """The input of the step form's field labelled `label`."""
    return page.locator(f'{STEP_FORM} .step-values input[data-cams-field="{label}"]')


def refused(field) -> bool:
    """The form marks the input's value as refused (jam.py 5: its group's `error` class;
    jam.py 7: the input's `is-invalid`)."""
    return bool(field.evaluate(
        "e => e.classList.contains('is-invalid') || "
        "!!(e.closest('.control-group') && e.closest('.control-group')"
        ".classList.contains('error'))"))


def test_step_form_shows_the_types_typed_fields_and_refuses_letters_in_numbers(
        running_demo, wide_page, screenshot_dir):
    page = wide_page
    log_in(running_demo, page)
    ui.open_process(page, "Quick-Clean")
    ui.open_step(page, "RCA clean")  # select, then Edit: no double click on a redrawn row
    page.locator(f"{STEP_FORM} .step-values-title", has_text="Wet Cleaning").wait_for()
    temperature = field_input(page, "temperature (°C)")
    assert temperature.input_value() in ("75", "75.0", "75,0")
    assert field_input(page, "solution_type").input_value() == "RCA-1"
    assert "Fields (JSON)" not in page.locator(STEP_FORM).inner_text()
    temperature.fill("abc")
    temperature.press("Tab")
    assert refused(temperature)
    page.screenshot(path=str(screenshot_dir / "step_form_wet_cleaning.png"))
    page.locator(f"{STEP_FORM} #cancel-btn").click()


def test_new_step_picks_its_type_by_name_and_saves_typed_values(
        running_demo, wide_page, screenshot_dir):
    page = wide_page
    log_in(running_demo, page)
    ui.open_process(page, "Quick-Clean")
    page.locator(f"{FORM} .processes-steps #new-btn").click()
    page.locator(STEP_FORM).wait_for()
    page.locator(f"{STEP_FORM} input.position").fill("3")
    page.locator(f"{STEP_FORM} input.step_type").locator("xpath=..").locator(
        "button").last.click()
    picker = page.locator(".step_types.view-form")
    picker.wait_for()
    if JAM_MAJOR >= 7:  # jam.py 7 shows the search box on its Find button
        picker.locator(".search-btn").click()
    picker.locator("input").first.fill("PlasmaPro")
    names = picker.locator(".inner-table tr")
    page.wait_for_function(
        "() => document.querySelectorAll('.step_types.view-form .inner-table tr').length == 1")
    assert names.first.inner_text().strip() == "RIE PlasmaPro"
    page.screenshot(path=str(screenshot_dir / "step_type_picker.png"))
    names.first.click()  # selected first: jam.py 7 redraws the row a click selects
    names.first.dblclick()
    page.locator(f"{STEP_FORM} .step-values-title", has_text="RIE PlasmaPro").wait_for()
    # The picker fades out; while it is still on screen it takes the focus back from any
    # input of the form beneath, so a value typed then would never reach its field.
    picker.wait_for(state="hidden")
    field_input(page, "depth_IN (µm)").fill("1.5")
    field_input(page, "time_IN (H:M:S)").fill("00:05:30")
    field_input(page, "recipe").fill("UI-etch")
    page.screenshot(path=str(screenshot_dir / "step_form_rie_plasmapro.png"))
    page.locator(f"{STEP_FORM} #ok-btn").click()
    page.locator(STEP_FORM).wait_for(state="hidden")
    page.locator(f"{FORM} #ok-btn").click()
    page.locator(FORM).wait_for(state="hidden")
    with sqlite3.connect(running_demo.task_dir / "cams.sqlite") as db:
        rows = db.execute(
            'SELECT S."POSITION", V."depth_IN", V."time_IN" FROM CAMS_S_RIE_PLASMAPRO V '
            'JOIN CAMS_STEPS S ON S."STEP_KEY" = V."STEP_KEY" WHERE V."recipe" = ?',
            ("UI-etch",)).fetchall()
    assert rows == [(3, 1.5, "00:05:30")], "saved in the type's table, paired with its step"

