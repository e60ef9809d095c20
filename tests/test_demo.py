"""The demo launcher: `python -m cams_module.demo` as a user starts it, on free ports."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import requests

from cams_module.demo import launcher as demo
from cams_module.demo import task as demo_task
from tests.fixtures.browser import DemoProcess, free_port
from tests.fixtures.cams_task import jam_login


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def _listening_addresses(port: int) -> set[str]:
    """The local IPv4/IPv6 addresses with a listening TCP socket on `port` (from /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.add(address)
    return found


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def test_demo_starts_serves_login_and_stops_on_ctrl_c(demo_factory):
    running = demo_factory(env={"NOMAD_TOKEN": "meant-for-a-real-nomad",
                                "NOMAD_CONFIG": "/somewhere/nomad.ini"})
    cams_url = running.cams_url
    assert cams_url.startswith("http://127.0.0.1:")
    assert requests.get(cams_url, timeout=10).status_code == 200
    port = int(cams_url.rstrip("/").rsplit(":", 1)[1])
    assert _listening_addresses(port) == {"127.0.0.1"}, "CAMS listens on 127.0.0.1 only"
    debugger = requests.get(cams_url + "?__debugger__=yes&cmd=resource&f=style.css",
                            timeout=10).text.lower()
    assert "debugger" not in debugger and "@font-face" not in debugger, "no Werkzeug debugger"

    info = running.users()
    session = requests.Session()
    login = next(iter(info["users"]))
    password = info["users"][login]["password"]
    assert password in running.output, "the launcher prints the demo users' passwords"
    assert jam_login(session, cams_url, info["task_id"], login, password), \
        f"login as {login} failed"
    assert any("_session" in name for name in session.cookies.keys())  # jam.py 7 adds the port

    stand_in = running.printed_url("NOMAD stand-in:")
    assert stand_in.startswith("http://127.0.0.1:") and stand_in.endswith("/api/v1")
    assert requests.get(stand_in + "/info", timeout=10).status_code == 200

    children = running.children()
    assert len(children) == 3, f"expected the stand-in, jam.py and a worker, got {children}"
    commands = {pid: " ".join(_cmdline(pid)) for pid in children}
    standin_pid = next(p for p, c in commands.items() if "cams_module.standin" in c)
    jam_pid = next(p for p, c in commands.items() if "cams_module.lims.jam_server" in c)
    worker_pid = next(p for p, c in commands.items() if "cams_module.lims.worker" in c)

    users_file = Path(_cmdline(standin_pid)[_cmdline(standin_pid).index("--users") + 1])
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    nomad_password = next(iter(json.loads(users_file.read_text()).values()))
    assert nomad_password not in " ".join(_cmdline(jam_pid))
    jam_env = _environ(jam_pid)
    assert jam_env["NOMAD_URL"] == stand_in and jam_env["NOMAD_PASSWORD"] == nomad_password
    assert "NOMAD_TOKEN" not in jam_env and "NOMAD_CONFIG" not in jam_env, \
        "credentials for a real NOMAD never go to the stand-in"
    assert nomad_password not in running.output

    assert _environ(worker_pid)["NOMAD_URL"] == stand_in
    assert "NOMAD_TOKEN" not in _environ(worker_pid)

    assert running.interrupt() == 0
    assert not _pid_alive(standin_pid) and not _pid_alive(jam_pid)
    assert not _pid_alive(worker_pid)
    assert not users_file.exists(), "the NOMAD users file is removed on exit"
    assert not users_file.parent.exists(), "and so are the stand-in's upload files"
    assert nomad_password not in running.output


def test_build_needed_reports_missing_and_current_builds(tmp_path):
    assert "no CAMS task" in demo_task.build_needed(tmp_path / "nothing")
    (tmp_path / "admin.sqlite").write_bytes(b"")
    users = tmp_path / demo_task.USERS_FILE
    users.write_text(json.dumps({"jam": f"{demo_task.JAM_MAJOR}.0.1"}))
    os.utime(users, (demo_task.newest_source_mtime() + 10,) * 2)
    assert demo_task.build_needed(tmp_path) is None
    os.utime(users, (demo_task.newest_source_mtime() - 10,) * 2)
    assert "task/ changed" in demo_task.build_needed(tmp_path)
    other = 7 if demo_task.JAM_MAJOR == 5 else 5
    users.write_text(json.dumps({"jam": f"{other}.0.1"}))
    os.utime(users, (demo_task.newest_source_mtime() + 10,) * 2)
    assert f"built for jam.py {other}.0.1" in demo_task.build_needed(tmp_path)


def test_users_file_is_private(tmp_path):
    path = demo.write_users_file(tmp_path, "someone", "s3cret-value")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "s3cret-value" in path.read_text()


def test_banner_lists_addresses_and_users_but_no_nomad_secret():
    text = demo.banner("http://127.0.0.1:8080/",
                       {"m.rossi": {"password": "pw1", "role": "Researcher"}},
                       "http://127.0.0.1:9000/api/v1", standin=True)
    assert "CAMS:            http://127.0.0.1:8080/" in text
    assert "NOMAD stand-in:  http://127.0.0.1:9000/api/v1" in text
    assert "http://127.0.0.1:9000/gui/" in text
    assert "m.rossi" in text and "pw1" in text and "Researcher" in text


def _call(session: requests.Session, url: str, info: dict, func: str, *args):
    reply = session.post(url + "api", json=["server", info["task_id"],
                                            info["items"]["processes"], [func, list(args)], 0],
                         timeout=10).json()
    result, error = reply["result"]["data"]
    assert not error, error
    return result


def test_demo_with_nomad_url_uses_that_nomad_and_starts_no_stand_in(demo_factory,
                                                                     nomad_server):
    running = demo_factory(
        ["--nomad-url", nomad_server.url],
        env={"NOMAD_USERNAME": nomad_server.username, "NOMAD_PASSWORD": nomad_server.password},
    )
    assert running.printed_url("NOMAD:") == nomad_server.url
    assert "NOMAD stand-in:" not in running.output
    commands = [" ".join(_cmdline(pid)) for pid in running.children()]
    assert len(commands) == 2, "only jam.py and the worker run; NOMAD is the given one"
    assert not any("cams_module.standin" in c for c in commands)

    info = running.users()
    session = requests.Session()
    steward = info["users"]["steward"]["password"]
    assert jam_login(session, running.cams_url, info["task_id"], "steward", steward)
    process_id = 5  # Quick-Clean in the demo data
    assert _call(session, running.cams_url, info, "upload_fair", process_id)["ok"]
    deadline = time.monotonic() + 60
    state = {}
    while time.monotonic() < deadline:
        state = _call(session, running.cams_url, info, "nomad_state", process_id)
        if not state["busy"]:
            break
        time.sleep(0.3)
    assert state["name"] == "Quick-Clean" and state["status"] == "processed", state
    assert state["link"].startswith(nomad_server.base_url)
    assert nomad_server.stats()["routes"].get("POST /uploads") == 1
    assert nomad_server.password not in running.output
    assert running.interrupt() == 0

    # The next demo with a fresh (empty) stand-in must not show links into nowhere.
    assert demo_task.recorded_uploads(running.task_dir) == 1
    kept = DemoProcess(running.task_dir, free_port(), ["--keep-task"])
    try:
        kept.wait_ready()
        assert "Building" not in kept.output
    finally:
        kept.stop()
    again = DemoProcess(running.task_dir, free_port())
    try:
        again.wait_ready()
        assert "1 process(es) point to uploads of an earlier stand-in" in again.output
        assert demo_task.recorded_uploads(running.task_dir) == 0
    finally:
        again.stop()


def test_demo_reports_a_cams_port_in_use(demo_task_template, tmp_path):
    import socket
    import subprocess
    import sys

    from tests.fixtures.browser import REPO, copy_task

    task_dir = copy_task(demo_task_template, tmp_path / "task")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cams_module.demo", "--port", str(port),
             "--task-dir", str(task_dir)],
            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"CAMS cannot listen on 127.0.0.1:{port}" in result.stdout + result.stderr
    assert "choose another port with --port" in result.stdout + result.stderr


def test_ctrl_c_while_a_job_runs_stops_everything_at_once(demo_factory):
    running = demo_factory(["--processing-delay", "30"])
    info = running.users()
    session = requests.Session()
    password = info["users"]["m.rossi"]["password"]
    assert jam_login(session, running.cams_url, info["task_id"], "m.rossi", password)
    assert _call(session, running.cams_url, info, "upload_fair", 5)["ok"]
    deadline = time.monotonic() + 30
    while _call(session, running.cams_url, info, "nomad_state", 5)["status"] != "processing":
        assert time.monotonic() < deadline, "the job never reached NOMAD's processing"
        time.sleep(0.2)
    children = running.children()

    assert running.interrupt() == 0
    assert "killing it" not in running.output, "jam.py must stop by itself, not be killed"
    assert not any(_pid_alive(pid) for pid in children)


def test_demo_with_gunicorn_web_workers_uploads_and_stops_everything(demo_factory):
    """`--web-workers 2`: gunicorn serves jam.py (two web processes), the worker runs the
    upload, and Ctrl-C stops the web processes, the worker and the stand-in."""
    running = demo_factory(["--web-workers", "2", "--processing-delay", "0.5"])
    info = running.users()
    sessions = []
    for _ in range(4):  # logins and calls spread over both web processes
        session = requests.Session()
        password = info["users"]["m.rossi"]["password"]
        assert jam_login(session, running.cams_url, info["task_id"], "m.rossi", password)
        sessions.append(session)
    assert _call(sessions[0], running.cams_url, info, "upload_fair", 5)["ok"]
    deadline = time.monotonic() + 60
    state = _call(sessions[1], running.cams_url, info, "nomad_state", 5)
    while state["status"] != "processed":
        assert time.monotonic() < deadline and state["status"] != "failed", state
        time.sleep(0.2)
        state = _call(sessions[len(sessions) - 1], running.cams_url, info, "nomad_state", 5)
    assert all(step["entry_id"] for step in state["steps"])
    children = running.children()
    commands = " ".join(" ".join(_cmdline(pid)) for pid in children)
    assert "cams_module.lims.web" in commands and "cams_module.lims.worker" in commands
    web_pid = next(p for p in children if "cams_module.lims.web" in " ".join(_cmdline(p)))
    forked = [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat")
              if _parent(p) == web_pid]
    assert len(forked) == 2, "gunicorn runs two web processes"

    assert running.interrupt() == 0
    assert not any(_pid_alive(pid) for pid in [*children, *forked])


def _parent(stat: Path) -> int:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1
