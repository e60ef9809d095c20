import json
import logging
import os

import pytest

from cams_module.nomad.config import NomadConfig, normalize_api_url, read_config_file
from cams_module.nomad.errors import ConfigError

SECRET_PW = "Pw-7f3e-secret!"
SECRET_TOKEN = "nomad_pat_4b1d0e7c9a5f"


def test_from_env_with_username_and_password():
    cfg = NomadConfig.from_env({"NOMAD_URL": "https://oasis.example.org/nomad-oasis/api/v1/",
                                "NOMAD_USERNAME": "m.rossi", "NOMAD_PASSWORD": SECRET_PW})
    assert cfg.url == "https://oasis.example.org/nomad-oasis/api/v1"
    assert cfg.gui_url == "https://oasis.example.org/nomad-oasis/gui"
    assert cfg.can_login and cfg.token is None


def test_from_env_with_token_and_timeouts():
    cfg = NomadConfig.from_env({"NOMAD_URL": "http://127.0.0.1:8000/api/v1",
                                "NOMAD_TOKEN": SECRET_TOKEN, "NOMAD_TIMEOUT": "2.5"})
    assert cfg.token == SECRET_TOKEN and not cfg.can_login and cfg.has_credentials
    assert cfg.timeout == 2.5


@pytest.mark.parametrize("given, api", [
    ("https://nomad-lab.eu/prod/v1", "https://nomad-lab.eu/prod/v1/api/v1"),
    ("https://nomad-lab.eu/prod/v1/api", "https://nomad-lab.eu/prod/v1/api/v1"),
    ("https://nomad-lab.eu/prod/v1/api/v1/", "https://nomad-lab.eu/prod/v1/api/v1"),
])
def test_url_is_completed_to_the_api_base(given, api):
    assert normalize_api_url(given) == api


def test_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ConfigError) as info:
        NomadConfig(url=f"https://m.rossi:{SECRET_PW}@oasis.example.org/api/v1")
    assert SECRET_PW not in str(info.value) and SECRET_PW not in info.value.hint


@pytest.mark.parametrize("url", ["ftp://x.org/api/v1", "oasis.example.org", ""])
def test_bad_url_names_the_setting(url):
    with pytest.raises(ConfigError) as info:
        NomadConfig.from_env({"NOMAD_URL": url} if url else {})
    assert "NOMAD_URL" in str(info.value) + info.value.hint


def test_repr_masks_secrets():
    cfg = NomadConfig(url="http://127.0.0.1:1/api/v1", token=SECRET_TOKEN,
                      username="m.rossi", password=SECRET_PW)
    for text in (repr(cfg), str(cfg), f"{cfg}"):
        assert SECRET_PW not in text and SECRET_TOKEN not in text
        assert "m.rossi" in text and "***" in text


def test_json_config_file_private(tmp_path, caplog):
    path = tmp_path / "nomad.json"
    path.write_text(json.dumps({"url": "http://127.0.0.1:9/api/v1", "username": "m.rossi",
                                "password": SECRET_PW, "timeout": 3}))
    os.chmod(path, 0o600)
    with caplog.at_level(logging.WARNING):
        cfg = NomadConfig.from_env({"NOMAD_CONFIG": str(path)})
    assert cfg.password == SECRET_PW and cfg.timeout == 3.0
    assert not caplog.records


def test_env_wins_over_file_and_url_argument_wins_over_both(tmp_path):
    path = tmp_path / "nomad.ini"
    path.write_text("[nomad]\nurl = http://127.0.0.1:9/api/v1\ntoken = from-file\n")
    os.chmod(path, 0o600)
    cfg = NomadConfig.from_env({"NOMAD_CONFIG": str(path), "NOMAD_TOKEN": "from-env"},
                               url="http://127.0.0.1:10")
    assert cfg.token == "from-env"
    assert cfg.url == "http://127.0.0.1:10/api/v1"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_others_may_read_is_refused_naming_it(tmp_path, mode):
    path = tmp_path / "nomad.ini"
    path.write_text(f"[nomad]\nurl = http://127.0.0.1:9\nusername = u\npassword = {SECRET_PW}\n")
    os.chmod(path, mode)
    with pytest.raises(ConfigError) as caught:
        read_config_file(path)
    message = f"{caught.value} {caught.value.hint}"
    assert str(path) in message and "chmod 600" in message
    assert SECRET_PW not in message


@pytest.mark.parametrize("text, expected", [
    ('{"url": "http://x", "pasword": "x"}', "pasword"),
    ("[other]\nurl = http://x\n", "[nomad]"),
    ("{not json", "not valid JSON"),
    ('{"url": "http://x", "timeout": "soon"}', "timeout"),
])
def test_bad_config_file_says_what_to_fix(tmp_path, text, expected):
    path = tmp_path / "nomad.cfg"
    path.write_text(text)
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError) as info:
        read_config_file(path)
    assert expected in str(info.value) + info.value.hint


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        NomadConfig.from_env({"NOMAD_CONFIG": str(tmp_path / "absent.json")})
    assert "absent.json" in str(info.value)
