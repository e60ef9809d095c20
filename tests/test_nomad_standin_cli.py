"""Starting the stand-in from the command line; secrets stay out of every output."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from tests.fixtures.nomad_server import REPO, StandinProcess, good_upload_zip


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cams_module.standin", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=30)


def test_help_names_it_a_stand_in():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "stand-in" in result.stdout and "not NOMAD" in result.stdout


def test_users_file_is_required():
    result = run_cli("--port", "0")
    assert result.returncode == 2 and "--users" in result.stderr


def test_bad_users_file_is_refused_without_echoing_it(tmp_path):
    users = tmp_path / "users.json"
    users.write_text('{"alice": "s3cret-value", "bob": 5}')
    result = run_cli("--users", str(users))
    assert result.returncode == 2
    assert "users file" in result.stderr and "s3cret-value" not in result.stderr
    missing = run_cli("--users", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "cannot read the users file" in missing.stderr


def test_secrets_never_reach_the_server_output(tmp_path):
    server = StandinProcess(tmp_path / "s", processing_delay=0.0, extra_args=["--log-requests"])
    try:
        token = server.token()
        pat = server.mint_pat()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        upload_id = requests.post(f"{server.url}/uploads", data=good_upload_zip(1),
                                  headers=headers, timeout=10).json()["upload_id"]
        requests.post(f"{server.url}/auth/token", timeout=10, data={
            "username": server.username, "password": "wrong-" + server.password,
            "grant_type": "password"})
        requests.get(f"{server.url}/uploads/{upload_id}", headers=headers, timeout=10)
        requests.get(f"{server.url}/users/me", timeout=10,
                     headers={"Authorization": f"Bearer {pat}"})
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert "POST /api/v1/uploads" in log  # the request log is on
    for secret in (server.password, server.other_password, token, pat):
        assert secret not in log
    assert json.loads((tmp_path / "s" / "users.json").read_text())  # file untouched


def test_server_stops_when_its_stdin_closes(tmp_path):
    server = StandinProcess(tmp_path / "s", processing_delay=0.0)
    assert requests.get(f"{server.url}/info", timeout=10).status_code == 200
    server.proc.stdin.close()
    assert server.proc.wait(timeout=20) == 0
    server.stop()
