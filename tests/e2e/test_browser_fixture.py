"""The browser fixture finds Debian's Chromium and never downloads one."""

from __future__ import annotations

from tests.fixtures.browser import chromium_path


def test_chromium_path_honours_an_override(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setenv("CAMS_CHROMIUM", str(fake))
    assert chromium_path() == str(fake)


def test_a_missing_override_means_no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMS_CHROMIUM", str(tmp_path / "nowhere"))
    assert chromium_path() is None


def test_the_system_chromium_is_used(monkeypatch):
    monkeypatch.delenv("CAMS_CHROMIUM", raising=False)
    found = chromium_path()
    assert found is None or found.startswith("/usr/")
