"""What a person does in the CAMS web interface, as Playwright steps (no assertions here)."""

from __future__ import annotations

import requests

from tests.fixtures.cams_task import JAM_MAJOR

BUSY = ("queued", "uploading", "processing")
LIST = ".processes.view-form"          # the process list (jam.py view form)
FORM = ".processes.edit-form"          # the process form (jam.py edit form, a modal)

# Records every value the panels' data-status takes, so a test can see the progress.
WATCH_STATUS = """() => {
    window.__nomadStatuses = [];
    window.__noReload = true;
    const seen = (s) => {
        const list = window.__nomadStatuses;
        if (s && list[list.length - 1] !== s) list.push(s);
    };
    new MutationObserver((changes) => changes.forEach((c) => {
        if (c.attributeName === 'data-status') seen(c.target.getAttribute('data-status'));
    })).observe(document.body, {attributes: true, subtree: true,
                                attributeFilter: ['data-status']});
}"""


def log_in(page, cams_url: str, login: str, password: str) -> None:
    """Open CAMS, log in (jam.py 5: its login dialog; jam.py 7: its login page), and wait
    for the process list."""
    page.goto(cams_url)
    if JAM_MAJOR >= 7:
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill(password)
        page.locator("button[type=submit]").click()
    else:
        page.locator(".modal #input-login").fill(login)
        page.locator(".modal #input-password").fill(password)
        page.locator(".modal #login-btn").click()
    page.locator(f"{LIST} .inner-table tr").first.wait_for()


def open_journal(page, caption: str) -> None:
    """Open a journal (e.g. "NOMAD upload log") from the menu's Journals."""
    page.locator("a.dropdown-toggle", has_text="Journals").first.click()
    page.locator("a:visible", has_text=caption).first.click()


def row(page, process_name: str):
    """The list row of a process."""
    return page.locator(f"{LIST} .inner-table tr", has_text=process_name)


def select(page, process_name: str) -> None:
    """Click a process in the list and wait until the panel shows it."""
    row(page, process_name).click()
    panel(page, LIST).locator(".nomad-process", has_text=process_name).wait_for()


def open_process(page, process_name: str) -> None:
    """Open a process in its form (double click on the row)."""
    row(page, process_name).dblclick()
    panel(page, FORM).locator(".nomad-process", has_text=process_name).wait_for()


def open_step(page, step_name: str) -> None:
    """Open a step of the open process form in the step form: select its row, press the
    steps' Edit (jam.py 7 turns the selected row into inputs, so a double click's second
    click may land in one of them)."""
    steps = page.locator(f"{FORM} .processes-steps")
    steps.locator(".inner-table tr", has_text=step_name).first.click()
    steps.locator("#edit-btn").click()
    page.locator(".processes-steps.edit-form").wait_for()


def panel(page, form: str):
    """The NOMAD panel of the list (LIST) or of the open process form (FORM)."""
    return page.locator(f"{form} .nomad-panel").first


def button(page, form: str, css_class: str):
    """A NOMAD button (nomad-upload-btn, nomad-publish-btn, nomad-export-btn) of a form."""
    return page.locator(f"{form} .{css_class}").first


def watch_status(page) -> None:
    """Start recording the status changes shown in the panels (and mark the page)."""
    page.evaluate(WATCH_STATUS)


def statuses_seen(page) -> list[str]:
    """The statuses the panels showed since watch_status()."""
    return page.evaluate("() => window.__nomadStatuses")


def not_reloaded(page) -> bool:
    """True when the page was not reloaded since watch_status()."""
    return bool(page.evaluate("() => window.__noReload === true"))


def wait_status(page, form: str, status: str, timeout: float = 30_000) -> None:
    """Wait until the panel of `form` shows `status`."""
    page.locator(f"{form} .nomad-panel[data-status='{status}']").first.wait_for(
        timeout=timeout)


def standin_uploads(standin_api: str) -> int:
    """How many uploads the local NOMAD stand-in has received (its test-only counters)."""
    base = standin_api.rsplit("/api/v1", 1)[0]
    stats = requests.get(f"{base}/_standin/stats", headers={"X-Standin-Control": "1"},
                         timeout=10).json()
    return stats["routes"].get("POST /uploads", 0)
