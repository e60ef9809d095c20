"""What every page loads and what the step-type picker offers, on jam.py 5 and 7 alike
(headless Chromium against the demo).

The login page and the process list load every file they link without an error (jam.py
7 serves the project's /css only to a logged-in session, yet its login page links
css/project.css); the step-type picker offers a researcher no Delete, Edit or New (the
server refuses them anyway: tests/test_rights_attacks.py), and the catalogue offers only
what the user's rights allow.
"""

from __future__ import annotations

import pytest

from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import FORM

pytestmark = pytest.mark.browser
STEP_FORM = ".processes-steps.edit-form"
PICKER = ".step_types.view-form"
CHANGE_BUTTONS = ("#delete-btn", "#edit-btn", "#new-btn")


def log_in(demo, page, login: str) -> None:
    ui.log_in(page, demo.cams_url, login, demo.users()["users"][login]["password"])


def shown(page, form: str) -> list[str]:
    """The change buttons of `form` a user can see."""
    return [b for b in CHANGE_BUTTONS if page.locator(f"{form} {b}").first.is_visible()]


def test_login_page_and_process_list_load_every_file_they_link(running_demo, page):
    failed, project_css = [], []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("response", lambda r: project_css.append(r.status)
            if r.url.endswith("/css/project.css") else None)
    page.goto(running_demo.cams_url)
    page.wait_for_load_state("networkidle")
    log_in(running_demo, page, "m.rossi")
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert project_css and set(project_css) <= {200, 304}, project_css


def test_the_step_type_picker_offers_a_researcher_no_delete_edit_or_new(running_demo, page):
    log_in(running_demo, page, "m.rossi")
    ui.open_process(page, "Quick-Clean")
    page.locator(f"{FORM} .processes-steps #new-btn").click()
    page.locator(STEP_FORM).wait_for()
    page.locator(f"{STEP_FORM} input.step_type").locator("xpath=..").locator(
        "button").last.click()
    picker = page.locator(PICKER)
    picker.locator(".inner-table tr", has_text="RIE PlasmaPro").first.wait_for()
    assert shown(page, PICKER) == []
    plasmapro = picker.locator(".inner-table tr", has_text="RIE PlasmaPro").first
    plasmapro.click()  # selected first: jam.py 7 redraws the row a click selects
    plasmapro.dblclick()
    page.locator(f"{STEP_FORM} .step-values-title", has_text="RIE PlasmaPro").wait_for()


@pytest.mark.parametrize(("login", "offered"), [
    ("m.rossi", []), ("admin", list(CHANGE_BUTTONS))])
def test_the_step_types_catalogue_offers_only_what_the_rights_allow(running_demo, page,
                                                                    login, offered):
    log_in(running_demo, page, login)
    page.locator("a.dropdown-toggle", has_text="Catalogs").first.click()
    page.locator("a:visible", has_text="Step types").first.click()
    page.locator(f"{PICKER} .inner-table tr", has_text="RIE PlasmaPro").first.wait_for()
    assert shown(page, PICKER) == offered
