"""Secrets (issue 6): NOMAD credentials configured for the CAMS server never show up.

A jam.py server is run three times against the stand-in with real-looking credentials — a
personal access token, then a username and password, then a wrong password — through
upload, publish, export, a failed login and a restart. Every reply, every row of the CAMS
tables (processes, upload log, jobs), the server's log and every file in the task folder
(the sqlite databases included) are searched for the secrets, raw and encoded: none is
found. Configuration files holding credentials must not be readable by others: the client
warns (in the server log too), and no file of the build that holds a password (jam.py's
admin.sqlite keeps CAMS passwords in plain text; finding F11) is world-readable.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import ConfigError
from tests.fixtures.cams_task import nomad_env

DONE = ("processed", "failed", "published")
ACCESS_TOKEN = b"standin_at_"  # how the stand-in's access tokens begin


def encodings(secret: str) -> set[bytes]:
    """The forms a secret could take in a log, a URL, JSON or a database."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return {f.encode() for f in forms}


def leaks(blob: bytes, secrets: dict[str, str]) -> list[str]:
    """Names of the secrets found in `blob`."""
    return sorted(name for name, secret in secrets.items()
                  if any(form in blob for form in encodings(secret)))


def folder_leaks(folder: Path, secrets: dict[str, str]) -> dict[str, list[str]]:
    """{file: [secret names]} for every file below `folder` holding a secret."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            names = leaks(path.read_bytes(), secrets)
            if names:
                found[str(path.relative_to(folder))] = names
    return found


def all_rows(server) -> bytes:
    admin = server.login("admin")
    rows = {
        "processes": admin.rows("processes", ["name", "nomad_status", "nomad_upload_id",
                                              "nomad_link", "nomad_message"]),
        "upload_log": admin.rows("upload_log", ["process", "user_login", "action", "upload_id",
                                                "files", "outcome", "errors"]),
        "nomad_jobs": admin.rows("nomad_jobs", ["process", "action", "state", "user_login",
                                                "worker", "message"]),
    }
    return json.dumps(rows, default=str).encode()


def test_configured_nomad_credentials_appear_nowhere(cams_server_factory, nomad_server):
    pat = nomad_server.mint_pat()
    wrong = "Xq7!vR2#mN9$wrong-" + nomad_server.password[:6]
    secrets = {"password": nomad_server.password, "token": pat, "wrong password": wrong}
    seen: list = []

    with_token = {**nomad_env(nomad_server), "NOMAD_USERNAME": "", "NOMAD_PASSWORD": "",
                  "NOMAD_TOKEN": pat}
    server = cams_server_factory(env=with_token)
    rossi = server.login("m.rossi")
    quick = rossi.process_id("Quick-Clean")
    seen.append(rossi.call("processes", "upload_fair", quick))
    seen.append(rossi.wait_status(quick, DONE))
    steward = server.login("steward")
    seen.append(steward.call("processes", "publish_fair", quick, 0))
    seen.append(steward.wait_status(quick, ("published", "failed")))
    seen.append(rossi.call("processes", "export_zip", quick))

    server.stop()  # username + password (the token expires on NOMAD meanwhile)
    nomad_server.fault(expire_tokens=True)
    server.env.update(nomad_env(nomad_server))
    server.start()
    rossi = server.login("m.rossi")
    pico = rossi.process_id("PicoTCDv3")
    seen.append(rossi.call("processes", "upload_fair", pico))
    seen.append(rossi.wait_status(pico, DONE))
    assert seen[-1]["status"] == "processed", seen[-1]

    server.stop()  # a wrong password: the failure must not echo it
    server.env.update({"NOMAD_PASSWORD": wrong})
    server.start()
    bianchi = server.login("a.bianchi")
    mems = bianchi.process_id("MEMS-Gyro-B2")
    seen.append(bianchi.call("processes", "upload_fair", mems))
    failed = bianchi.wait_status(mems, DONE)
    seen.append(failed)
    assert failed["status"] == "failed" and "refused the login" in failed["message"], failed
    seen.append(bianchi.state(mems))

    assert leaks(json.dumps(seen, default=str).encode(), secrets) == []
    all_rows_text = all_rows(server)
    assert leaks(all_rows_text, secrets) == []
    server.stop()
    assert leaks((server.folder / "server.log").read_bytes(), secrets) == []
    assert folder_leaks(server.folder, secrets) == {}
    # the access tokens NOMAD issued for the password are secrets too (stand-in prefix)
    assert ACCESS_TOKEN not in json.dumps(seen).encode() + all_rows_text
    assert not [p for p in server.folder.rglob("*") if p.is_file()
                and ACCESS_TOKEN in p.read_bytes()]


def test_world_readable_config_file_is_refused_and_the_user_told(cams_server_factory,
                                                                  nomad_server, tmp_path):
    config = tmp_path / "nomad.json"
    config.write_text(json.dumps({"url": nomad_server.url, "username": nomad_server.username,
                                  "password": nomad_server.password}))
    os.chmod(config, 0o644)
    env = {"NOMAD_URL": "", "NOMAD_USERNAME": "", "NOMAD_PASSWORD": "", "NOMAD_TOKEN": "",
           "NOMAD_CONFIG": str(config)}
    server = cams_server_factory(env=env)
    rossi = server.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    answer = rossi.call("processes", "upload_fair", pid)
    final = rossi.wait_status(pid, DONE) if answer.get("ok") else answer
    server.stop()
    assert final.get("status") != "processed"
    told = json.dumps(final)
    assert "chmod 600" in told and str(config) in told
    log = (server.folder / "server.log").read_text(errors="replace")
    assert nomad_server.password not in log and nomad_server.password not in told


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o666])
def test_config_file_readable_by_group_or_others_is_refused(tmp_path, caplog, mode):
    config = tmp_path / "nomad.ini"
    config.write_text("[nomad]\nurl = http://127.0.0.1:9/api/v1\nusername = svc\n"
                      "password = S3cret-pass-Zz9\n")
    os.chmod(config, mode)
    with pytest.raises(ConfigError) as caught:
        NomadConfig.from_env({"NOMAD_CONFIG": str(config)})
    told = f"{caught.value} {caught.value.hint}"
    assert "chmod 600" in told and "S3cret-pass-Zz9" not in told
    caplog.clear()
    os.chmod(config, 0o600)
    with caplog.at_level("WARNING", logger="cams_module.nomad"):
        NomadConfig.from_env({"NOMAD_CONFIG": str(config)})
    assert "chmod" not in caplog.text


def test_build_writes_the_demo_passwords_readable_by_the_owner_only(cams_task_build):
    users = cams_task_build.path / "demo-users.json"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_build_leaves_no_world_readable_file_holding_a_password(cams_task_build):
    secrets = {login: u["password"] for login, u in cams_task_build.info["users"].items()}
    readable = {name: found for name, found in folder_leaks(cams_task_build.path,
                                                            secrets).items()
                if (cams_task_build.path / name).stat().st_mode & stat.S_IROTH}
    assert readable == {}
