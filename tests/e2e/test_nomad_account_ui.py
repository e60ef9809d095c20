"""My NOMAD account in headless Chromium: a scientist links a token (the page shows the
NOMAD name, never the token), meets NOMAD's unpublished-upload limit with links to what
to publish, and an administrator removes a link. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import pytest
import requests

from cams_module.lims.accounts import new_key
from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import LIST
from tests.fixtures.nomad_server import good_upload_zip

pytestmark = pytest.mark.browser
LIMIT = 2
PAGE = ".nomad-account-page"


@pytest.fixture
def setup(cams_server_factory, nomad_server_factory):
    nomad = nomad_server_factory(people={"mario": "Mario Rossi"},
                                 extra_args=["--upload-limit", str(LIMIT)])
    cams = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_KEY": new_key(),
                                                 "NOMAD_UPLOAD_LIMIT": str(LIMIT)})
    yield cams, nomad
    cams.stop()


def open_account_page(page) -> None:
    page.locator("#menu a.dropdown-toggle", has_text="Catalogs").click()
    page.locator("#menu a.item-menu", has_text="My NOMAD account").click()
    page.locator(f"{PAGE} .nomad-account-status").wait_for()


def test_a_scientist_links_a_token_and_meets_the_upload_limit(setup, page, screenshot_dir):
    cams, nomad = setup
    token = nomad.mint_pat("mario")
    ui.log_in(page, cams.url, "m.rossi", cams.users["m.rossi"])
    open_account_page(page)
    status = page.locator(f"{PAGE} .nomad-account-status")
    status.locator("text=No NOMAD account linked").wait_for()
    assert not page.locator(f"{PAGE} .nomad-account-remove").is_visible()

    field = page.locator(f"{PAGE} .nomad-account-token")
    assert field.get_attribute("type") == "password"
    field.fill("nomad_pat_mistyped")
    page.locator(f"{PAGE} .nomad-account-save").click()
    page.locator(f"{PAGE} .nomad-account-message.text-error",
                 has_text="NOMAD refused this token").wait_for()
    field.fill(token)
    page.locator(f"{PAGE} .nomad-account-save").click()
    page.locator(f"{PAGE} .nomad-account-name", has_text="Mario Rossi (mario)").wait_for()
    assert field.input_value() == ""
    assert "Linked to NOMAD account" in page.locator(f"{PAGE} .nomad-account-message").inner_text()
    assert token not in page.content()
    page.screenshot(path=str(screenshot_dir / "nomad_account_linked.png"), full_page=True)

    for number in range(LIMIT):  # mario fills his NOMAD account elsewhere
        requests.post(f"{nomad.url}/uploads", data=good_upload_zip(1), timeout=30,
                      params={"upload_name": f"draft-{number}"},
                      headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    page.locator("#menu a.dropdown-toggle", has_text="Journals").click()
    page.locator("#menu a.item-menu", has_text="Processes").click()
    ui.select(page, "Quick-Clean")
    ui.button(page, LIST, "nomad-upload-btn").click()
    panel = ui.panel(page, LIST)
    panel.locator(".nomad-message", has_text="already holds 2 unpublished uploads").wait_for()
    assert panel.get_attribute("data-status") == "not uploaded"
    links = panel.locator("a.nomad-error-link")
    assert links.count() == LIMIT
    assert all(links.nth(i).get_attribute("href").startswith(nomad.base_url + "/gui/")
               for i in range(LIMIT))
    page.screenshot(path=str(screenshot_dir / "nomad_upload_limit.png"), full_page=True)


def test_an_administrator_removes_a_link_without_seeing_the_token(setup, page, screenshot_dir):
    cams, nomad = setup
    token = nomad.mint_pat("mario")
    assert cams.login("m.rossi").call("nomad_account", "save_nomad_token", token)["ok"]
    ui.log_in(page, cams.url, "admin", cams.users["admin"])
    open_account_page(page)
    row = page.locator(f"{PAGE} .nomad-account-links tr[data-login='m.rossi']")
    row.wait_for()
    assert "Mario Rossi (mario)" in row.inner_text()
    assert token not in page.content()
    page.screenshot(path=str(screenshot_dir / "nomad_account_admin.png"), full_page=True)
    row.locator(".nomad-account-remove-link").click()
    page.locator(".modal button", has_text="Yes").click()
    page.locator(f"{PAGE} .nomad-account-message",
                 has_text="m.rossi's NOMAD account link is removed").wait_for()
    assert page.locator(f"{PAGE} .nomad-account-links tr[data-login='m.rossi']").count() == 0
    assert cams.login("m.rossi").call("nomad_account", "nomad_account")["account"] is None
