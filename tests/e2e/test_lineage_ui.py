"""Headless Chromium: after an upload the panel says where the process's CAMS values went."""

from __future__ import annotations

import pytest

from tests.e2e import cams_ui as ui
from tests.e2e.cams_ui import LIST

pytestmark = pytest.mark.browser


def test_panel_counts_values_in_quantities_and_lists_what_stayed_in_notes(running_demo, page):
    login = "a.bianchi"
    ui.log_in(page, running_demo.cams_url, login, running_demo.users()["users"][login]["password"])
    ui.select(page, "MEMS-Gyro-B2")
    ui.button(page, LIST, "nomad-upload-btn").click()
    ui.wait_status(page, LIST, "processed")
    box = ui.panel(page, LIST).locator(".nomad-lineage")
    box.wait_for()
    assert box.locator(".nomad-lineage-counts").inner_text() == (
        "70 values in NOMAD quantities, 3 kept in notes")
    kept = box.locator(".nomad-lineage-notes li").all_inner_texts()
    assert len(kept) == 3
    assert any(text.startswith("step ") and "oxigen_ = 20.5" in text and "mass flow" in text
               for text in kept)
    targets = box.locator(".nomad-lineage-uncertain li").all_inner_texts()
    assert any("final_temperature → annealing_steps[0].ramp_up.end_value" in t for t in targets)
