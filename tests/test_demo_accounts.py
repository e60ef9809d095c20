"""The demo's "My NOMAD account": the launcher makes the key for linked tokens once (a 0600
file in the task folder, never printed), and each demo user links their own stand-in NOMAD
account and uploads as themselves."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import requests

from cams_module.demo import launcher as demo
from tests.fixtures.browser import DemoProcess, free_port
from tests.fixtures.cams_task import jam_login

PROCESS = 5  # Quick-Clean in the demo data


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")


def _call(session: requests.Session, url: str, info: dict, item: str, func: str, *args):
    reply = session.post(url + "api", json=["server", info["task_id"], info["items"][item],
                                            [func, list(args)], 0], timeout=30).json()
    result, error = reply["result"]["data"]
    assert not error, error
    return result


def _stand_in_token(gui: str, login: str, password: str) -> str:
    """A personal access token from the stand-in's token page, as a demo user makes it."""
    assert "Make a token" in requests.get(gui + "user/token", timeout=10).text
    wrong = requests.post(gui + "user/token", data={"username": login, "password": "x"},
                          timeout=10)
    assert wrong.status_code == 401 and "nomad_pat" not in wrong.text
    page = requests.post(gui + "user/token", data={"username": login, "password": password},
                         timeout=10)
    page.raise_for_status()
    return re.search(r"<code id='token'>([^<]+)</code>", page.text).group(1)


def _login(running: DemoProcess, login: str) -> requests.Session:
    info = running.users()
    session = requests.Session()
    assert jam_login(session, running.cams_url, info["task_id"], login,
                     info["users"][login]["password"])
    return session


def test_demo_users_link_their_own_nomad_accounts_with_the_demo_key(demo_factory):
    running = demo_factory(["--processing-delay", "0.3"], env={"CAMS_NOMAD_KEY": "",
                                                               "CAMS_NOMAD_KEY_FILE": ""})
    key_file = running.task_dir / demo.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert key not in running.output, "the key is never printed"
    children = {pid: _cmdline(pid) for pid in running.children()}
    for name in ("cams_module.lims.jam_server", "cams_module.lims.worker"):
        env = _environ(next(p for p, c in children.items() if name in c))
        assert env["CAMS_NOMAD_KEY_FILE"] == str(key_file) and not env.get("CAMS_NOMAD_KEY")
        assert key not in " ".join(env.values())

    info, url = running.users(), running.cams_url
    gui = demo.gui_url(running.printed_url("NOMAD stand-in:"))
    assert f"make its token at {gui}user/token" in running.output
    tokens = {}
    for login in ("m.rossi", "a.bianchi"):
        session = _login(running, login)
        page = _call(session, url, info, "nomad_account", "nomad_account")
        assert page["available"] is True, page
        tokens[login] = _stand_in_token(gui, login, info["users"][login]["password"])
        saved = _call(session, url, info, "nomad_account", "save_nomad_token", tokens[login])
        assert saved["ok"], saved
        assert saved["account"]["nomad_username"] == login
    assert tokens["m.rossi"] != tokens["a.bianchi"]

    # m.rossi's press goes to NOMAD with his own token: he is the upload's main author
    rossi = _login(running, "m.rossi")
    assert _call(rossi, url, info, "processes", "upload_fair", PROCESS)["ok"]
    deadline = time.monotonic() + 60
    state = _call(rossi, url, info, "processes", "nomad_state", PROCESS)
    while state["busy"] or state["status"] not in ("processed", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.3)
        state = _call(rossi, url, info, "processes", "nomad_state", PROCESS)
    assert state["status"] == "processed", state
    upload_page = requests.get(state["link"], timeout=10).text
    assert "main author m.rossi" in upload_page, upload_page
    assert not any(t in running.output for t in tokens.values())
    assert running.interrupt() == 0

    # the key is made once: the next demo on the same task keeps it (and the links)
    again = DemoProcess(running.task_dir, free_port(), ["--keep-task"],
                        env={"CAMS_NOMAD_KEY": "", "CAMS_NOMAD_KEY_FILE": ""})
    try:
        again.wait_ready()
        assert key_file.read_text().strip() == key
        page = _call(_login(again, "a.bianchi"), again.cams_url, info, "nomad_account",
                     "nomad_account")
        assert page["account"]["nomad_username"] == "a.bianchi"
    finally:
        again.stop()
