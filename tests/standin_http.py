"""Requests to the local NOMAD stand-in over real HTTP, shared by the stand-in tests: the
bearer header, creating an upload, waiting for its processing, its entries."""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.fixtures.nomad_server import archive_zip

JSON = {"Accept": "application/json"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **JSON}


def create_upload(server, token: str, body: bytes, **params: Any) -> dict[str, Any]:
    response = requests.post(f"{server.url}/uploads", data=body, params=params,
                             headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def wait_done(server, token: str, upload_id: str, deadline: float = 15.0) -> dict[str, Any]:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        data = requests.get(f"{server.url}/uploads/{upload_id}", headers=auth(token),
                            timeout=10).json()["data"]
        if not data["process_running"]:
            return data
        time.sleep(0.05)
    raise AssertionError(f"upload {upload_id} still processing after {deadline} s")


def entries_of(server, token: str, upload_id: str) -> dict[str, Any]:
    response = requests.get(f"{server.url}/uploads/{upload_id}/entries",
                            params={"page_size": 100}, headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def processed(server, token: str, files: dict[str, Any]) -> dict[str, Any]:
    """Upload ``files`` as a zip, wait, and return the entries answer keyed by mainfile."""
    upload_id = create_upload(server, token, archive_zip(files))["upload_id"]
    wait_done(server, token, upload_id)
    answer = entries_of(server, token, upload_id)
    answer["by_mainfile"] = {e["mainfile"]: e for e in answer["data"]}
    return answer
