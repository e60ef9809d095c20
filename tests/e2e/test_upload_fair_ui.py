"""Headless Chromium against the running demo (CAMS + local NOMAD stand-in).

One demo per module (`running_demo`, stand-in processing delay 2 s). The tests share its
CAMS data, so each one either uses a process no other test changes in a way it cares
about, or accepts any earlier state: their order does not matter (checked by running them
in reverse).
"""

from __future__ import annotations

import zipfile

import pytest
import requests

from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import BUSY, FORM, LIST
from tests.fixtures.cams_task import JAM_MAJOR

pytestmark = pytest.mark.browser
NO_FILL = "rgba(0, 0, 0, 0)"
#: the publish dialog's controls and the classes each carries on the page's Bootstrap
#: (jam.py 5: Bootstrap 2; jam.py 7: Bootstrap 5), and classes only the other one knows
PUBLISH_CLASSES = {
    2: {".nomad-embargo": {"input-mini"}, "label.checkbox": {"checkbox"},
        ".nomad-publish-error": {"text-error"}, ".nomad-publish-cancel": {"btn"},
        ".nomad-publish-confirm": {"btn", "btn-danger"}},
    5: {".nomad-embargo": {"form-control"}, "label[for$='-embargo']": {"form-label"},
        ".form-check .nomad-confirm": {"form-check-input"},
        "label[for$='-understood']": {"form-check-label"},
        ".nomad-publish-error": {"text-danger"},
        ".nomad-publish-cancel": {"btn", "btn-secondary"},
        ".nomad-publish-confirm": {"btn", "btn-danger"}},
}
OTHER_BOOTSTRAP = {2: {"form-control", "form-label", "form-check-input", "btn-secondary",
                       "text-danger"},
                   5: {"input-mini", "checkbox", "text-error"}}


def password(demo, login: str) -> str:
    return demo.users()["users"][login]["password"]


def test_upload_fair_shows_progress_processed_status_and_nomad_link(
        running_demo, page, screenshot_dir):
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.open_process(page, "Quick-Clean")
    ui.watch_status(page)

    ui.button(page, FORM, "nomad-upload-btn").click()
    ui.wait_status(page, FORM, "processing")
    progress = ui.panel(page, FORM).locator(".nomad-progress")
    assert progress.is_visible()
    assert "width: 70%" in progress.locator(".bar").get_attribute("style")
    page.screenshot(path=str(screenshot_dir / "upload_fair_progress.png"), full_page=True)
    ui.wait_status(page, FORM, "processed")
    assert not ui.panel(page, FORM).locator(".nomad-progress").is_visible()

    seen = ui.statuses_seen(page)
    assert seen[-1] == "processed"
    assert any(status in BUSY for status in seen[:-1]), f"no progress shown: {seen}"
    assert ui.not_reloaded(page)

    panel = ui.panel(page, FORM)
    assert "Processed by NOMAD" in panel.locator(".nomad-message").inner_text()
    link = panel.locator("a.nomad-link")
    href = link.get_attribute("href")
    stand_in = running_demo.printed_url("NOMAD stand-in:").rsplit("/api/v1", 1)[0]
    assert href.startswith(stand_in + "/gui/")
    assert panel.locator("a.nomad-entry").count() == 2, "one NOMAD entry per step"
    page.locator(f"{FORM} .processes-steps a.nomad-entry-link").nth(1).wait_for()
    publish = ui.button(page, FORM, "nomad-publish-btn")
    assert publish.is_disabled(), "a Researcher may not publish"
    assert "m.rossi may not publish" in publish.get_attribute("title")
    page.screenshot(path=str(screenshot_dir / "upload_fair_processed.png"), full_page=True)

    with page.context.expect_page() as opened:
        link.click()
    nomad_page = opened.value
    nomad_page.wait_for_load_state()
    assert "Local NOMAD stand-in" in nomad_page.content()
    assert nomad_page.locator("#process-status").inner_text() == "SUCCESS"
    nomad_page.close()

    page.locator(f"{FORM} #cancel-btn").click()
    status_cell = ui.row(page, "Quick-Clean").locator(".label", has_text="processed")
    status_cell.wait_for()
    assert ui.row(page, "Quick-Clean").locator("a.nomad-link").get_attribute("href") == href
    assert ui.not_reloaded(page)


def test_faulty_process_shows_the_validation_error_naming_step_and_field(
        running_demo, page, screenshot_dir):
    before = ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:"))
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.select(page, "Faulty-Demo")
    ui.watch_status(page)

    ui.button(page, LIST, "nomad-upload-btn").click()
    # queued at once; the worker finds the mistake, sends nothing and the status returns
    alert = page.locator(".alert-absolute", has_text="nothing was sent to NOMAD")
    alert.wait_for()
    seen = ui.statuses_seen(page)
    assert seen[-2:] == ["queued", "not uploaded"], seen
    error = ui.panel(page, LIST).locator(".nomad-error").first

    text = error.inner_text()
    assert "Step 2" in text and "Trench etch" in text, text
    assert "time_IN" in text, text
    assert "5 minutes" in text, "the wrong value is quoted"
    assert ui.panel(page, LIST).get_attribute("data-status") == "not uploaded"
    assert "Not sent to NOMAD" in ui.panel(page, LIST).locator(".nomad-message").inner_text()
    assert ui.not_reloaded(page)
    page.screenshot(path=str(screenshot_dir / "upload_fair_validation_error.png"), full_page=True)
    assert ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:")) == before, \
        "nothing may be sent to NOMAD"


def test_upload_fair_is_disabled_while_the_job_runs(running_demo, page):
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.select(page, "PicoTCDv3")
    upload = ui.button(page, LIST, "nomad-upload-btn")
    upload.click()
    page.locator(", ".join(f"{LIST} .nomad-panel[data-status='{s}']" for s in BUSY)
                 ).first.wait_for()
    assert upload.is_disabled() and "under way" in upload.get_attribute("title")
    ui.wait_status(page, LIST, "processed")
    page.wait_for_function("() => !document.querySelector('.processes.view-form "
                           ".nomad-upload-btn').disabled")


def test_publish_needs_the_right_and_an_explicit_confirmation(running_demo, page,
                                                               screenshot_dir):
    ui.log_in(page, running_demo.cams_url, "steward", password(running_demo, "steward"))
    ui.select(page, "MEMS-Gyro-B2")
    ui.button(page, LIST, "nomad-upload-btn").click()
    ui.wait_status(page, LIST, "processed")

    publish = ui.button(page, LIST, "nomad-publish-btn")
    publish.wait_for()
    publish.click()
    dialog = page.locator(".modal .nomad-publish-dialog")
    dialog.wait_for()
    assert "cannot be undone" in dialog.inner_text()
    assert_styled_for_the_pages_bootstrap(page, dialog)
    confirm = dialog.locator(".nomad-publish-confirm")
    assert confirm.is_disabled(), "publishing needs the explicit confirmation first"
    dialog.locator(".nomad-embargo").fill("6")
    dialog.locator(".nomad-confirm").check()
    page.screenshot(path=str(screenshot_dir / "publish_confirmation.png"), full_page=True)
    confirm.click()

    ui.wait_status(page, LIST, "published")
    assert not publish.is_visible()
    assert "published" in ui.panel(page, LIST).locator(".nomad-details").inner_text()


def assert_styled_for_the_pages_bootstrap(page, dialog) -> None:
    """The dialog's controls carry the classes of the Bootstrap jam.py ships, and its
    buttons are drawn filled (Bootstrap 5 draws a bare "btn" transparent)."""
    shipped = page.evaluate("() => window.bootstrap ? bootstrap.Modal.VERSION : null")
    bootstrap = 5 if JAM_MAJOR >= 7 else 2
    assert (shipped or "2").split(".")[0] == str(bootstrap), shipped
    seen: set[str] = set()
    for css, classes in PUBLISH_CLASSES[bootstrap].items():
        control = dialog.locator(css)
        assert control.count() == 1, f"{css} in the dialog"
        has = set(control.evaluate("e => [...e.classList]"))
        assert classes <= has, f"{css}: {sorted(has)}"
        seen |= has
    assert not seen & OTHER_BOOTSTRAP[bootstrap], sorted(seen & OTHER_BOOTSTRAP[bootstrap])
    for css in (".nomad-publish-cancel", ".nomad-publish-confirm"):
        fill = dialog.locator(css).evaluate("e => getComputedStyle(e).backgroundColor")
        assert fill != NO_FILL, f"{css} is drawn without a fill"


def test_export_downloads_the_zip_without_uploading(running_demo, page, tmp_path):
    before = ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:"))
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.select(page, "PicoTCDv3")
    with page.expect_download() as download_info:
        ui.button(page, LIST, "nomad-export-btn").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert any(name.endswith(".archive.json") for name in names), names
    assert ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:")) == before


def test_a_user_without_the_right_sees_why_and_nothing_is_sent(running_demo, page):
    before = ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:"))
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.select(page, "SiN-Waveguide-07")
    upload = ui.button(page, LIST, "nomad-upload-btn")
    assert upload.is_disabled()
    assert "m.rossi may not upload process 'SiN-Waveguide-07'" in upload.get_attribute("title")
    upload.click(force=True)  # a disabled button does nothing
    assert ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:")) == before


def test_export_of_invalid_data_lists_the_problems_instead_of_downloading(running_demo, page):
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.select(page, "Faulty-Demo")
    ui.button(page, LIST, "nomad-export-btn").click()

    problem = page.locator(".modal .nomad-error").first
    problem.wait_for()
    assert "time_IN" in problem.inner_text() and "Trench etch" in problem.inner_text()


def test_nomad_processing_failure_shows_failed_with_the_reason(running_demo, page,
                                                               screenshot_dir):
    stand_in = running_demo.printed_url("NOMAD stand-in:").rsplit("/api/v1", 1)[0]
    requests.post(f"{stand_in}/_standin/faults", headers={"X-Standin-Control": "1"},
                  json=[{"match": "POST /uploads", "processing_fails": True}],
                  timeout=10).raise_for_status()
    ui.log_in(page, running_demo.cams_url, "steward", password(running_demo, "steward"))
    ui.select(page, "SiN-Waveguide-07")
    ui.button(page, LIST, "nomad-upload-btn").click()
    ui.wait_status(page, LIST, "failed")

    panel = ui.panel(page, LIST)
    assert panel.locator(".nomad-status.label-important").inner_text() == "failed"
    reasons = panel.locator(".nomad-message").inner_text() + panel.locator(
        ".nomad-errors").inner_text()
    page.screenshot(path=str(screenshot_dir / "upload_fair_nomad_failed.png"), full_page=True)
    assert "could not process" in reasons and "Injected fault" in reasons, reasons


def test_a_job_is_followed_in_the_list_while_another_process_is_selected(running_demo, page):
    ui.log_in(page, running_demo.cams_url, "steward", password(running_demo, "steward"))
    ui.select(page, "PicoTCDv3")
    ui.watch_status(page)
    ui.button(page, LIST, "nomad-upload-btn").click()
    busy_label = ", ".join(f".label:text-is('{s}')" for s in BUSY)
    ui.row(page, "PicoTCDv3").locator(busy_label).first.wait_for()

    ui.select(page, "Faulty-Demo")
    ui.row(page, "PicoTCDv3").locator(".label:text-is('processed')").wait_for()
    assert ui.panel(page, LIST).locator(".nomad-process").inner_text() == "Faulty-Demo"
    assert ui.not_reloaded(page)


def test_the_upload_log_shows_outcomes_and_readable_errors(running_demo, page,
                                                           screenshot_dir):
    ui.log_in(page, running_demo.cams_url, "steward", password(running_demo, "steward"))
    ui.select(page, "Faulty-Demo")
    ui.button(page, LIST, "nomad-upload-btn").click()
    page.locator(".alert-absolute", has_text="nothing was sent to NOMAD").wait_for()
    ui.panel(page, LIST).locator(".nomad-error").first.wait_for()

    page.locator("#menu a.dropdown-toggle", has_text="Journals").click()
    page.locator("#menu a.item-menu", has_text="NOMAD upload log").click()
    invalid = page.locator(".upload_log .inner-table tr", has_text="Faulty-Demo").filter(
        has=page.locator(".label-important:text-is('invalid')")).first
    invalid.wait_for()
    assert "time_IN" in invalid.locator(".text-error").inner_text()
    page.screenshot(path=str(screenshot_dir / "upload_log.png"), full_page=True)


def test_upload_from_a_form_with_unsaved_changes_asks_to_save_first(running_demo, page):
    before = ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:"))
    ui.log_in(page, running_demo.cams_url, "m.rossi", password(running_demo, "m.rossi"))
    ui.open_process(page, "Quick-Clean")
    page.locator(f"{FORM} textarea").last.fill("changed, not saved")
    ui.button(page, FORM, "nomad-upload-btn").click()

    warning = page.locator(".modal", has_text="unsaved changes").last
    warning.wait_for()
    assert "Save it" in warning.inner_text()
    assert ui.standin_uploads(running_demo.printed_url("NOMAD stand-in:")) == before
