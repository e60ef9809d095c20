"""`cams-nomad upload|status|publish|delete` end to end: a subprocess against the stand-in."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cams_module.cli.nomad import (
    EXIT_AUTH,
    EXIT_OK,
    EXIT_PROCESSING_FAILED,
    EXIT_REJECTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)
from tests.nomad_helpers import fast_client, write_upload_zip

REPO = Path(__file__).resolve().parent.parent


def _env(server=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")}
    if server is not None:
        env.update(NOMAD_URL=server.url, NOMAD_USERNAME=server.username,
                   NOMAD_PASSWORD=server.password)
    env.update(extra)
    return env


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "cams_module", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def _no_traceback(out):
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout


@pytest.fixture
def good_zip(tmp_path):
    return write_upload_zip(tmp_path / "PicoTCDv3.zip", steps=2)


def test_upload_success_prints_id_status_link_and_entries(nomad_server, good_zip):
    out = run("upload", str(good_zip), "--name", "PicoTCDv3", env=_env(nomad_server))
    assert out.returncode == EXIT_OK, out.stderr
    assert "processed" in out.stdout
    assert "/gui/user/uploads/upload/id/" in out.stdout
    assert "step_01.archive.json" in out.stdout and "3 of 3" in out.stdout
    with fast_client(nomad_server) as client:
        [upload] = client.find_uploads("PicoTCDv3")
    assert upload.upload_id in out.stdout


def test_upload_json_is_one_object(nomad_server, good_zip):
    out = run("upload", str(good_zip), "--json", env=_env(nomad_server))
    assert out.returncode == EXIT_OK, out.stderr
    data = json.loads(out.stdout)
    assert data["ok"] is True
    assert data["upload"]["status"] == "processed"
    assert len(data["upload"]["entries"]) == 3
    assert data["upload"]["gui_url"].endswith(data["upload"]["upload_id"])


def test_upload_with_processing_failure(nomad_server, tmp_path):
    bad = write_upload_zip(tmp_path / "bad.zip", steps=2, broken_step=2)
    out = run("upload", str(bad), env=_env(nomad_server))
    assert out.returncode == EXIT_PROCESSING_FAILED
    assert "step_02.archive.json" in out.stderr and "hint:" in out.stderr
    assert "FAILED" in out.stdout
    _no_traceback(out)
    js = run("upload", str(bad), "--json", env=_env(nomad_server))
    data = json.loads(js.stdout)
    assert js.returncode == EXIT_PROCESSING_FAILED
    assert data["ok"] is False and data["error"]["type"] == "ProcessingFailed"
    assert [e["mainfile"] for e in data["upload"]["entries"] if e["failed"]] == [
        "step_02.archive.json"]


def test_upload_and_publish_with_embargo(nomad_server, good_zip):
    out = run("upload", str(good_zip), "--publish", "--embargo", "6", "--json",
              env=_env(nomad_server))
    assert out.returncode == EXIT_OK, out.stderr
    upload = json.loads(out.stdout)["upload"]
    assert upload["published"] and upload["status"] == "published"
    assert upload["embargo_length"] == 6


def test_status_publish_delete(nomad_server, good_zip):
    with fast_client(nomad_server) as client:
        upload_id = client.upload_file(good_zip).upload_id
        other_id = client.upload_file(good_zip, upload_name="second").upload_id
    env = _env(nomad_server)
    status = run("status", upload_id, env=env)
    assert status.returncode == EXIT_OK and upload_id in status.stdout
    published = run("publish", upload_id, "--json", env=env)
    assert published.returncode == EXIT_OK, published.stderr
    assert json.loads(published.stdout)["upload"]["published"] is True
    again = run("publish", upload_id, env=env)
    assert again.returncode in (EXIT_REJECTED, EXIT_AUTH)
    assert again.stderr.startswith("error: ") and "hint: " in again.stderr
    _no_traceback(again)
    deleted = run("delete", other_id, env=env)
    assert deleted.returncode == EXIT_OK and other_id in deleted.stdout


def test_an_upload_id_starting_with_a_dash_is_an_id_not_an_option(nomad_server):
    dashed = "-W4lIk-CQCONE3zi35-Iaw"  # NOMAD's ids are URL-safe base64: 1 in 64 look so
    out = run("status", dashed, env=_env(nomad_server))
    assert out.returncode == EXIT_REJECTED, out.stderr
    assert dashed in out.stderr and "arguments are required" not in out.stderr
    out = run("status", "--json", dashed, env=_env(nomad_server))
    assert out.returncode == EXIT_REJECTED and dashed in out.stderr


def test_status_of_unknown_upload(nomad_server):
    out = run("status", "no-such-upload", env=_env(nomad_server))
    assert out.returncode == EXIT_REJECTED
    assert "no-such-upload" in out.stderr and "hint:" in out.stderr
    _no_traceback(out)


def test_wrong_password_exit_code(nomad_server, good_zip):
    out = run("upload", str(good_zip), env=_env(nomad_server, NOMAD_PASSWORD="wrong-pw-123"))
    assert out.returncode == EXIT_AUTH
    assert "refused the login" in out.stderr and "wrong-pw-123" not in out.stderr + out.stdout
    _no_traceback(out)


def test_unreachable_nomad_exit_code(good_zip):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = run("status", "x", "--url", f"http://127.0.0.1:{port}",
              env=_env(NOMAD_TOKEN="nomad_pat_x"))
    assert out.returncode == EXIT_UNAVAILABLE
    assert "could not be reached" in out.stderr
    _no_traceback(out)


def test_processing_timeout_exit_code(nomad_server, good_zip):
    nomad_server.fault(processing_never_ends=True)
    out = run("upload", str(good_zip), "--timeout", "0.5", env=_env(nomad_server))
    assert out.returncode == EXIT_UNAVAILABLE
    assert "still processing" in out.stderr and "cams-nomad status" in out.stderr


@pytest.mark.parametrize("args, env_extra, expected", [
    (["upload", "missing.zip"], {}, "missing.zip"),
    (["upload", "x.zip", "--embargo", "99"], {}, "embargo"),
])
def test_bad_usage(nomad_server, args, env_extra, expected):
    out = run(*args, env=_env(nomad_server, **env_extra))
    assert out.returncode == EXIT_USAGE
    assert expected in out.stderr
    _no_traceback(out)


def test_missing_configuration(good_zip):
    out = run("upload", str(good_zip), env=_env())
    assert out.returncode == EXIT_USAGE
    assert "NOMAD_URL" in out.stderr
    _no_traceback(out)


def test_config_file(nomad_server, good_zip, tmp_path):
    cfg = tmp_path / "nomad.ini"
    cfg.write_text(f"[nomad]\nurl = {nomad_server.url}\nusername = {nomad_server.username}\n"
                   f"password = {nomad_server.password}\n")
    cfg.chmod(0o600)
    out = run("upload", str(good_zip), env=_env(NOMAD_CONFIG=str(cfg)))
    assert out.returncode == EXIT_OK, out.stderr
    assert "chmod" not in out.stderr


def test_upload_into_existing_upload(nomad_server, good_zip, tmp_path):
    with fast_client(nomad_server) as client:
        first = client.upload_file(good_zip, upload_name="PicoTCDv3")
    bigger = write_upload_zip(tmp_path / "v2.zip", steps=3)
    out = run("upload", str(bigger), "--upload-id", first.upload_id, "--json",
              env=_env(nomad_server))
    assert out.returncode == EXIT_OK, out.stderr
    upload = json.loads(out.stdout)["upload"]
    assert upload["upload_id"] == first.upload_id and len(upload["entries"]) == 4
