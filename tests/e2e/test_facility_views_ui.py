"""The forms as a facility sees them at 1400x900 (headless Chromium against the demo).

The process form shows its buttons without scrolling and the steps' full type names,
left-aligned; the upload log shows each press's time to the second and the whole NOMAD
upload id, with no Edit button; every time is the facility's (CAMS_TIMEZONE), even in a
browser set to a zone half a world away. Each form is saved as a screenshot.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import FORM
from tests.fixtures.browser import open_page

pytestmark = pytest.mark.browser
FACILITY_ZONE = "Europe/Rome"
BROWSER_ZONE = "Pacific/Auckland"  # 10 to 12 hours ahead of the facility
SECOND = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture
def far_page(browser, request):
    """A page at the facility's screen size, in a browser set to another time zone."""
    with open_page(browser, request, timeout=20_000, viewport={"width": 1400, "height": 900},
                   timezone_id=BROWSER_ZONE) as tab:
        yield tab


def log_in(demo, page, login: str = "m.rossi") -> None:
    ui.log_in(page, demo.cams_url, login, demo.users()["users"][login]["password"])


def fully_shown(locator) -> bool:
    """The element's text is not cut off."""
    return bool(locator.evaluate("e => e.scrollWidth <= e.clientWidth + 1"))


def test_process_form_fits_the_screen_with_full_step_type_names(running_demo, far_page,
                                                                 screenshot_dir):
    page = far_page
    log_in(running_demo, page)
    ui.open_process(page, "PicoTCDv3")
    for button in ("#ok-btn", "#cancel-btn", ".nomad-upload-btn", ".nomad-export-btn"):
        box = page.locator(f"{FORM} {button}").first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 900, \
            f"{button} is below the fold: {box}"
    cell = page.locator(f"{FORM} .processes-steps .inner-table td.step_type",
                        has_text="Labeling and Cleaning").first
    assert cell.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    assert fully_shown(cell.locator("div").first)
    page.screenshot(path=str(screenshot_dir / "process_form.png"))


def test_upload_log_and_panel_show_facility_time_to_the_second_and_whole_ids(
        demo_factory, far_page, screenshot_dir):
    demo = demo_factory(["--processing-delay", "0.5"], env={"CAMS_TIMEZONE": FACILITY_ZONE})
    page = far_page
    log_in(demo, page)
    ui.open_process(page, "Quick-Clean")
    ui.button(page, FORM, "nomad-upload-btn").click()
    ui.wait_status(page, FORM, "processed")
    with sqlite3.connect(demo.task_dir / "cams.sqlite") as db:
        uploaded_at, upload_id = db.execute(
            'SELECT "NOMAD_UPLOADED_AT", "NOMAD_UPLOAD_ID" FROM CAMS_PROCESSES '
            'WHERE "NAME" = ?', ("Quick-Clean",)).fetchone()
        (logged_at,) = db.execute(
            'SELECT "TIME" FROM CAMS_UPLOAD_LOG WHERE "UPLOAD_ID" = ? AND "OUTCOME" = ?',
            (upload_id, "processed")).fetchone()
    stored = str(uploaded_at)[:19].replace("T", " ")
    details = ui.panel(page, FORM).locator(".nomad-details").inner_text()
    assert f"uploaded {stored}" in details, "the facility's clock, not the browser's"
    page.locator(f"{FORM} #cancel-btn").click()

    ui.open_journal(page, "NOMAD upload log")
    row = page.locator(".upload_log .inner-table tr", has_text=upload_id).first
    row.wait_for()
    shown_time = row.locator(".log-time").inner_text().strip()
    assert SECOND.match(shown_time), shown_time
    assert shown_time == str(logged_at)[:19].replace("T", " ")
    upload_cell = row.locator(".log-upload-id")
    assert upload_cell.inner_text().strip() == upload_id
    assert fully_shown(upload_cell.locator("xpath=ancestor::td[1]"))
    for button in ("#edit-btn", "#new-btn", "#delete-btn"):
        assert not page.locator(f".upload_log.view-form {button}").first.is_visible(), button
    page.screenshot(path=str(screenshot_dir / "upload_log_facility_time.png"))
