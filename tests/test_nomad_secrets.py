"""No password or token appears in output, logs, reprs or exceptions of the whole flow."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cams_module.api_collection import NomadError, upload_file
from tests.nomad_helpers import fast_client, write_upload_zip

REPO = Path(__file__).resolve().parent.parent


def _texts_of(err: BaseException) -> list[str]:
    texts = [str(err), repr(err), " ".join(str(a) for a in err.args)]
    if isinstance(err, NomadError):
        texts += [err.hint, err.describe()]
    return texts


def test_secrets_never_leak(nomad_server, tmp_path, caplog, capsys):
    good = write_upload_zip(tmp_path / "PicoTCDv3.zip", steps=2)
    bad = write_upload_zip(tmp_path / "bad.zip", steps=2, broken_step=1)
    secrets = {nomad_server.password}
    seen: list[str] = []

    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    with fast_client(nomad_server) as client:
        upload = upload_file(good, client=client, publish=True,
                             progress=lambda stage, up: seen.append(repr(up)))
        secrets.add(client.http._token)  # the access token the login returned
        seen += [repr(client), repr(client.config), str(client.config), repr(client.http),
                 repr(upload)]
        nomad_server.fault(expire_tokens=True)  # forces one more login
        client.find_uploads()
        secrets.add(client.http._token)
        for action in (
            lambda: client.upload_file(bad),
            lambda: client.check_upload_status("nope"),
            lambda: (nomad_server.fault(match="GET /uploads", status=500), client.find_uploads()),
        ):
            with pytest.raises(NomadError) as info:
                action()
            seen += _texts_of(info.value)
    with fast_client(nomad_server, password="Wr0ng-" + nomad_server.password) as wrong:
        with pytest.raises(NomadError) as info:
            wrong.get_authentication_token()
        seen += _texts_of(info.value) + [repr(wrong.config)]
        secrets.add("Wr0ng-" + nomad_server.password)
    pat = nomad_server.mint_pat()  # after the expiries above
    secrets.add(pat)
    with fast_client(nomad_server, token=pat) as by_token:
        by_token.find_uploads()
        nomad_server.fault(expire_tokens=True)
        with pytest.raises(NomadError) as info:
            by_token.find_uploads()
        seen += _texts_of(info.value) + [repr(by_token.config)]

    captured = capsys.readouterr()
    seen += [captured.out, captured.err]
    seen += [r.getMessage() for r in caplog.records]
    seen += [str(r.args) for r in caplog.records]
    assert any("POST /auth/token" in r.getMessage() for r in caplog.records)  # logging ran
    assert all(s and len(s) >= 12 for s in secrets)
    for text in seen:
        for secret in secrets:
            assert secret not in text


def test_cli_verbose_never_prints_secrets(nomad_server, tmp_path):
    good = write_upload_zip(tmp_path / "PicoTCDv3.zip", steps=1)
    pat = nomad_server.mint_pat()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")}
    outputs = []
    for creds in ({"NOMAD_USERNAME": nomad_server.username,
                   "NOMAD_PASSWORD": nomad_server.password},
                  {"NOMAD_TOKEN": pat},
                  {"NOMAD_USERNAME": nomad_server.username, "NOMAD_PASSWORD": "Bad-pw-4711x"}):
        out = subprocess.run(
            [sys.executable, "-m", "cams_module", "upload", str(good), "-v", "--json"],
            cwd=REPO, env={**env, "NOMAD_URL": nomad_server.url, **creds},
            capture_output=True, text=True, timeout=120)
        outputs.append(out.stdout + out.stderr)
    assert "POST /auth/token" in outputs[0]  # verbose logging was on
    for text in outputs:
        for secret in (nomad_server.password, pat, "Bad-pw-4711x"):
            assert secret not in text
