"""Fixtures for the Tk tests: a private Xvfb display, a Tk root, screenshots, xdotool, and
`upload`: a folder holding a copy of the plugin's example upload."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixtures.child_processes import spawn

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "plugin-example-2.0.0"


class Display:
    """A running Xvfb server: ``name`` (":N"), ``shot(name)`` and ``xdotool(*args)``."""

    def __init__(self, name: str):
        self.name = name

    def shot(self, name: str) -> Path:
        """Save a PNG of the whole screen as artifacts/screenshots/<name>.png."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        subprocess.run(["import", "-display", self.name, "-window", "root", str(path)],
                       check=True, timeout=30)
        return path

    def shot_window(self, name: str, window: tk.Misc) -> Path:
        """Save a PNG of ``window`` alone (with its menu bar) as <name>.png."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        window.update()
        top = window.winfo_toplevel()
        right = top.winfo_rootx() + top.winfo_width()
        bottom = top.winfo_rooty() + top.winfo_height()
        subprocess.run(["import", "-display", self.name, "-window", "root", "-crop",
                        f"{right}x{bottom}+0+0", "+repage", str(path)], check=True, timeout=30)
        return path

    def xdotool(self, *args: str | int) -> None:
        """Send real X input (clicks, keystrokes) with xdotool."""
        subprocess.run(["xdotool", *map(str, args)], check=True, timeout=30,
                       env={**os.environ, "DISPLAY": self.name})


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Display]:
    """Start Xvfb on a free display number (chosen by Xvfb itself) and set DISPLAY."""
    for tool in ("Xvfb", "xdotool", "import"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (./run test installs it)")
    read_fd, write_fd = os.pipe()
    server = spawn(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield Display(f":{number}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old


@pytest.fixture()
def root(xvfb: Display) -> Iterator[tk.Tk]:
    """A fresh Tk root on the Xvfb display, destroyed after the test."""
    window = tk.Tk()
    window.geometry("1200x820+0+0")
    window.update()
    yield window
    try:
        window.destroy()
    except tk.TclError:
        pass


@pytest.fixture()
def pump(root: tk.Tk) -> Callable[[Callable[[], bool]], bool]:
    """Process Tk events until ``condition()`` holds (or a generous limit passes)."""

    def wait(condition: Callable[[], bool], limit: float = 10.0) -> bool:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            root.update()
            if condition():
                return True
            time.sleep(0.02)
        root.update()
        return condition()

    return wait


@pytest.fixture()
def upload(tmp_path: Path) -> Path:
    """A folder holding a copy of the plugin's example upload (its *.archive.json files)."""
    for f in EXAMPLES.glob("*.archive.json"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path
