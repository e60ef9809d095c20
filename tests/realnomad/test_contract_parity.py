"""Contract parity: one scripted sequence of calls against the stand-in and the real NOMAD.

Status codes and the top-level keys of each answer must be the same. The stand-in gets
the plugin-mode zip (it carries the facility plugin's schemas, like the facility's
Oasis), the real NOMAD the embedded-schema zip: both process every entry.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from tests.realnomad.helpers import export_zip


def script(url: str, username: str, password: str, zip_path: Path) -> list[tuple]:
    """(step, status, sorted top-level keys) for each call of the sequence."""
    out: list[tuple] = []

    def note(step: str, answer: requests.Response) -> Any:
        try:
            body = answer.json()
        except ValueError:
            body = None
        keys = sorted(body) if isinstance(body, dict) else type(body).__name__
        out.append((step, answer.status_code, keys))
        return body

    form = {"username": username, "grant_type": "password"}
    note("login, wrong password", requests.post(f"{url}/auth/token",
                                                data={**form, "password": "wrong"}, timeout=30))
    token = note("login", requests.post(f"{url}/auth/token", data={**form, "password": password},
                                        timeout=30))["access_token"]
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with open(zip_path, "rb") as handle:
        created = note("create upload", requests.post(
            f"{url}/uploads", params={"upload_name": "parity"}, headers=auth,
            files={"file": (zip_path.name, handle)}, timeout=60))
    upload_id = created["upload_id"]
    for _ in range(300):
        data = requests.get(f"{url}/uploads/{upload_id}", headers=auth, timeout=30).json()
        if not data["data"]["process_running"]:
            break
        time.sleep(0.2)
    note("upload", requests.get(f"{url}/uploads/{upload_id}", headers=auth, timeout=30))
    note("entries", requests.get(f"{url}/uploads/{upload_id}/entries", headers=auth, timeout=30))
    note("no token", requests.get(f"{url}/uploads/{upload_id}", timeout=30))
    note("unknown upload", requests.get(f"{url}/uploads/no-such-id", headers=auth, timeout=30))
    note("publish", requests.post(f"{url}/uploads/{upload_id}/action/publish",
                                  params={"embargo_length": 6}, headers=auth, timeout=30))
    for _ in range(300):
        data = requests.get(f"{url}/uploads/{upload_id}", headers=auth, timeout=30).json()
        if not data["data"]["process_running"]:
            break
        time.sleep(0.2)
    note("delete published", requests.delete(f"{url}/uploads/{upload_id}", headers=auth,
                                             timeout=30))
    return out


def test_standin_answers_like_the_real_nomad(real_nomad, nomad_server, tmp_path):
    nomad_server.reset()
    (tmp_path / "plugin").mkdir()
    plugin_zip, _ = export_zip("picotcdv3", tmp_path / "plugin", embedded=False)
    embedded_zip, _ = export_zip("picotcdv3", tmp_path)
    real = script(real_nomad.url, real_nomad.username, real_nomad.password, embedded_zip)
    standin = script(nomad_server.url, nomad_server.username, nomad_server.password, plugin_zip)
    differences = [(s, r) for s, r in zip(standin, real, strict=True) if s != r]
    assert not differences, "\n".join(f"stand-in {s} / NOMAD {r}" for s, r in differences)
