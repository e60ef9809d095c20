"""The rights in the browser (issue 10): a scientist edits a step and saves it; buttons a
user may not use are disabled with a tooltip saying why; the owner field and the jobs
journal are out of reach. Headless Chromium against a CAMS server on sqlite and on
PostgreSQL (the server refuses the same things through /api: tests/test_rights_attacks.py).
"""

from __future__ import annotations

import pytest

from tests import rights_client as rc
from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import FORM, LIST
from tests.fixtures.cams_task import CamsServer, build_for_backend, nomad_env

pytestmark = pytest.mark.browser
STEP_FORM = ".processes-steps.edit-form"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cams(request, cams_task_build, nomad_server_session, tmp_path_factory):
    """A CAMS server on a fresh copy of the demo, on sqlite or on PostgreSQL."""
    build, _ = build_for_backend(request, cams_task_build,
                                 tmp_path_factory.mktemp("rights-ui-pg") / "task")
    server = CamsServer(build, tmp_path_factory.mktemp("rights-ui") / "task",
                        nomad_env(nomad_server_session))
    yield server
    server.stop()


def log_in(page, cams, login: str) -> None:
    ui.log_in(page, cams.url, login, cams.users[login])


def field_input(page, form: str, name: str):
    """The input of field `name` in a form (jam.py 5 and 7 give it the field's name as a
    class)."""
    return page.locator(f"{form} input.{name}, {form} textarea.{name}").first


def test_a_scientist_edits_an_existing_step_and_saves_it(cams, page):
    log_in(page, cams, "m.rossi")
    ui.open_process(page, "PicoTCDv3")
    ui.open_step(page, "Field oxide")
    operator = field_input(page, STEP_FORM, "operator")
    operator.fill("edited in the browser")
    page.locator(f"{STEP_FORM} #ok-btn").click()
    page.locator(STEP_FORM).wait_for(state="hidden")
    page.locator(f"{FORM} #ok-btn").click()
    page.locator(FORM).wait_for(state="hidden")
    assert not page.locator(".modal .nomad-refusal, .alert-error").is_visible()
    rossi = cams.login("m.rossi")
    steps = rc.stored_steps(rossi, rossi.process_id("PicoTCDv3"))
    assert [s["operator"] for s in steps if s["name"] == "Field oxide"] == \
        ["edited in the browser"]


def test_guest_sees_disabled_buttons_that_say_why(cams, page):
    log_in(page, cams, "guest")
    ui.select(page, "PicoTCDv3")
    for css, words in (("nomad-upload-btn", "guest may not upload process 'PicoTCDv3'"),
                       ("nomad-export-btn", "guest may not export process 'PicoTCDv3'")):
        button = ui.button(page, LIST, css)
        assert button.is_disabled(), css
        assert words in button.get_attribute("title"), button.get_attribute("title")
    edit = page.locator(f"{LIST} #edit-btn")
    assert edit.is_disabled() and "guest may not change" in edit.get_attribute("title")
    assert page.locator(f"{LIST} #new-btn").is_disabled()
    assert page.locator("#menu a", has_text="NOMAD upload log").count() == 0
    assert page.locator("#menu a", has_text="NOMAD jobs").count() == 0


def test_a_researcher_can_use_the_buttons_of_his_processes_only(cams, page):
    log_in(page, cams, "a.bianchi")
    ui.select(page, "SiN-Waveguide-07")
    upload = ui.button(page, LIST, "nomad-upload-btn")
    assert upload.is_disabled()
    assert "only its owner (l.verdi" in upload.get_attribute("title")
    assert page.locator(f"{LIST} #delete-btn").is_disabled()
    ui.select(page, "MEMS-Gyro-B2")
    assert ui.button(page, LIST, "nomad-upload-btn").is_enabled()
    assert ui.button(page, LIST, "nomad-export-btn").is_enabled()
    assert page.locator(f"{LIST} #edit-btn").is_enabled()
    assert page.locator("#menu a", has_text="NOMAD jobs").count() == 0
    assert page.locator("#menu a", has_text="NOMAD upload log").count() == 1


def test_only_a_steward_may_type_an_owner(cams, page):
    log_in(page, cams, "a.bianchi")
    ui.open_process(page, "MEMS-Gyro-B2")
    assert field_input(page, FORM, "owner_login").is_disabled()
    page.locator(f"{FORM} #cancel-btn").click()
    page.context.clear_cookies()
    log_in(page, cams, "steward")
    ui.open_process(page, "MEMS-Gyro-B2")
    assert field_input(page, FORM, "owner_login").is_enabled()
