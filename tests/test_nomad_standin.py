"""The local NOMAD stand-in over real HTTP: auth, uploads, processing, entries, publishing."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.fixtures.nomad_server import (
    archive_zip,
    good_upload_zip,
    process_archive,
    step_archive,
)

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


# --- authentication -------------------------------------------------------------------


def test_get_auth_token_is_refused_with_405(nomad_server):
    response = requests.get(f"{nomad_server.url}/auth/token", timeout=10,
                            params={"username": nomad_server.username})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["Allow"] == "POST"


def test_post_auth_token_without_grant_type_is_422(nomad_server):
    response = requests.post(f"{nomad_server.url}/auth/token", timeout=10, data={
        "username": nomad_server.username, "password": nomad_server.password})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "grant_type"]


def test_post_auth_token_with_bad_password_is_401(nomad_server):
    response = requests.post(f"{nomad_server.url}/auth/token", timeout=10, data={
        "username": nomad_server.username, "password": "wrong", "grant_type": "password"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}
    assert "wrong" not in response.text


def test_post_auth_token_issues_a_bearer_token(nomad_server):
    response = requests.post(f"{nomad_server.url}/auth/token", timeout=10, data={
        "username": nomad_server.username, "password": nomad_server.password,
        "grant_type": "password"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = requests.get(f"{nomad_server.url}/users/me", headers=auth(body["access_token"]),
                      timeout=10)
    assert me.status_code == 200
    assert me.json()["username"] == nomad_server.username
    assert nomad_server.password not in me.text


def test_users_me_without_or_with_bad_token_is_401(nomad_server):
    assert requests.get(f"{nomad_server.url}/users/me", timeout=10).status_code == 401
    bad = requests.get(f"{nomad_server.url}/users/me", headers=auth("nope"), timeout=10)
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"


def test_app_token_and_personal_access_token_work_as_bearer(nomad_server):
    token = nomad_server.token()
    app = requests.get(f"{nomad_server.url}/auth/app_token", params={"expires_in": 600},
                       headers=auth(token), timeout=10)
    assert app.status_code == 200
    pat = nomad_server.mint_pat()
    assert pat.startswith("nomad_pat_")
    for bearer in (app.json()["app_token"], pat):
        me = requests.get(f"{nomad_server.url}/users/me", headers=auth(bearer), timeout=10)
        assert me.json()["username"] == nomad_server.username


def test_app_token_needs_a_valid_expires_in(nomad_server):
    token = nomad_server.token()
    for params in ({}, {"expires_in": 0}, {"expires_in": 2_592_001}):
        response = requests.get(f"{nomad_server.url}/auth/app_token", params=params,
                                headers=auth(token), timeout=10)
        assert response.status_code == 422, params


def test_access_tokens_expire(nomad_server_factory):
    server = nomad_server_factory(extra_args=["--token-lifetime", "0.3"])
    token = server.token()
    deadline = time.monotonic() + 10
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = requests.get(f"{server.url}/users/me", headers=auth(token), timeout=10)\
            .status_code
        time.sleep(0.05)
    response = requests.get(f"{server.url}/users/me", headers=auth(token), timeout=10)
    assert response.status_code == 401


def test_info_names_the_stand_in(nomad_server):
    info = requests.get(f"{nomad_server.url}/info", timeout=10).json()
    assert info["version"] == "2.0.0"
    assert "stand-in" in info["deployment"] and "not NOMAD" in info["deployment"]
    assert "fabrication-utilities-2.0" in info["metainfo_packages"]


# --- creating uploads -------------------------------------------------------------------


def test_post_upload_answers_json_with_accept_header(nomad_server):
    token = nomad_server.token()
    body = create_upload(nomad_server, token, good_upload_zip(), upload_name="PicoTCDv3")
    data = body["data"]
    assert body["upload_id"] == data["upload_id"]
    assert data["upload_name"] == "PicoTCDv3"
    assert data["process_running"] is True
    assert data["process_status"] in ("PENDING", "RUNNING")
    assert data["published"] is False and data["embargo_length"] == 0


def test_post_upload_answers_plain_text_without_accept_json(nomad_server):
    token = nomad_server.token()
    response = requests.post(f"{nomad_server.url}/uploads", data=good_upload_zip(),
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Thanks for uploading your data to nomad." in response.text


def test_post_upload_multipart_file(nomad_server):
    token = nomad_server.token()
    response = requests.post(f"{nomad_server.url}/uploads", headers=auth(token), timeout=10,
                             files={"file": ("export.zip", good_upload_zip(1))})
    assert response.status_code == 200, response.text
    upload_id = response.json()["upload_id"]
    assert response.json()["data"]["upload_name"] == "export.zip"
    assert wait_done(nomad_server, token, upload_id)["process_status"] == "SUCCESS"
    assert entries_of(nomad_server, token, upload_id)["pagination"]["total"] == 2


def test_post_upload_raw_single_file_needs_file_name(nomad_server):
    token = nomad_server.token()
    text = b'{"data": {"m_def": "x"}}'
    refused = requests.post(f"{nomad_server.url}/uploads", data=text, headers=auth(token),
                            timeout=10)
    assert refused.status_code == 400
    assert "file name" in refused.json()["detail"]
    ok = requests.post(f"{nomad_server.url}/uploads", data=text, headers=auth(token),
                       params={"file_name": "one.archive.json"}, timeout=10)
    assert ok.status_code == 200
    assert ok.json()["data"]["upload_name"] == "one.archive.json"


def test_post_upload_streams_a_chunked_body(nomad_server):
    token = nomad_server.token()
    payload = good_upload_zip(3)

    def chunks():
        for i in range(0, len(payload), 100):
            yield payload[i:i + 100]

    response = requests.post(f"{nomad_server.url}/uploads", data=chunks(), headers=auth(token),
                             timeout=10)
    assert response.status_code == 200, response.text
    upload_id = response.json()["upload_id"]
    wait_done(nomad_server, token, upload_id)
    assert entries_of(nomad_server, token, upload_id)["pagination"]["total"] == 4


def test_post_upload_without_token_is_401(nomad_server):
    response = requests.post(f"{nomad_server.url}/uploads", data=good_upload_zip(),
                             headers=JSON, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authorization required."}


def test_post_upload_rejects_bad_embargo(nomad_server):
    token = nomad_server.token()
    response = requests.post(f"{nomad_server.url}/uploads", data=good_upload_zip(),
                             params={"embargo_length": 37}, headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert "embargo_length" in response.json()["detail"]


def test_eleventh_unpublished_upload_is_refused(nomad_server):
    token = nomad_server.token()
    for _ in range(10):
        create_upload(nomad_server, token, b"")
    response = requests.post(f"{nomad_server.url}/uploads", data=good_upload_zip(),
                             headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert response.json() == {"detail": "Limit of unpublished uploads exceeded for user."}
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    create_upload(nomad_server, other, b"")  # the limit is per user


# --- processing outcomes ---------------------------------------------------------------


def test_processing_moves_from_pending_to_success(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(2))["upload_id"]
    seen = set()
    end = time.monotonic() + 15
    while time.monotonic() < end:
        data = requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                            timeout=10).json()["data"]
        seen.add(data["process_status"])
        if not data["process_running"]:
            break
        time.sleep(0.02)
    assert data["process_status"] == "SUCCESS"
    assert seen & {"PENDING", "RUNNING"}
    assert data["entries"] == 3 and data["last_status_message"]
    answer = entries_of(nomad_server, token, upload_id)
    assert answer["processing_successful"] == 3 and answer["processing_failed"] == 0
    assert answer["upload"]["upload_id"] == upload_id
    entry = answer["data"][0]
    for key in ("entry_id", "mainfile", "process_status", "errors", "warnings",
                "entry_create_time", "upload_id", "parser_name", "process_running"):
        assert key in entry
    assert [e["mainfile"] for e in answer["data"]] == [
        "process.archive.json", "step_01.archive.json", "step_02.archive.json"]


def test_entry_ids_are_stable_across_reprocessing(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    before = {e["mainfile"]: e["entry_id"] for e in
              entries_of(nomad_server, token, upload_id)["data"]}
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/process",
                             headers=auth(token), timeout=10)
    assert response.status_code == 200
    wait_done(nomad_server, token, upload_id)
    after = {e["mainfile"]: e["entry_id"] for e in
             entries_of(nomad_server, token, upload_id)["data"]}
    assert before == after


def test_unknown_m_def_fails_the_entry(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {"x.archive.json": {"data": {
        "m_def": "schema_packages.nothing.Here", "name": "x"}}})
    entry = answer["by_mainfile"]["x.archive.json"]
    assert entry["process_status"] == "FAILURE"
    assert "schema_packages.nothing.Here" in entry["errors"][0]
    assert answer["processing_failed"] == 1
    assert answer["upload"]["process_status"] == "SUCCESS"  # like NOMAD: entries fail


def test_wrong_type_fails_the_entry_naming_the_field(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {"s.archive.json": step_archive(
        etching_steps=[{"chamber_pressure": "high"}])})
    entry = answer["by_mainfile"]["s.archive.json"]
    assert entry["process_status"] == "FAILURE"
    assert any("chamber_pressure" in e for e in entry["errors"])


def test_unknown_key_is_a_warning_not_a_failure(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {"s.archive.json": step_archive(pressure_typo=3)})
    entry = answer["by_mainfile"]["s.archive.json"]
    assert entry["process_status"] == "SUCCESS"
    assert entry["errors"] == []
    assert any("pressure_typo" in w for w in entry["warnings"])


def test_datetime_without_time_zone_fails_the_entry(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {"s.archive.json": step_archive(
        starting_date="2025-03-03T10:00:00")})
    entry = answer["by_mainfile"]["s.archive.json"]
    assert entry["process_status"] == "FAILURE"
    assert any("starting_date" in e for e in entry["errors"])


def test_dangling_reference_fails_the_entry(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {
        "process.archive.json": process_archive(["missing.archive.json"])})
    entry = answer["by_mainfile"]["process.archive.json"]
    assert entry["process_status"] == "FAILURE"
    assert any("missing.archive.json" in e for e in entry["errors"])


def test_invalid_json_fails_the_entry(nomad_server):
    token = nomad_server.token()
    answer = processed(nomad_server, token, {"bad.archive.json": "{not json",
                                             "notes.txt": "not a mainfile"})
    assert list(answer["by_mainfile"]) == ["bad.archive.json"]
    entry = answer["by_mainfile"]["bad.archive.json"]
    assert entry["process_status"] == "FAILURE"
    assert "JSON" in entry["errors"][0]


def test_get_one_entry(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    entry = entries_of(nomad_server, token, upload_id)["data"][0]
    response = requests.get(f"{nomad_server.url}/uploads/{upload_id}/entries/"
                            f"{entry['entry_id']}", headers=auth(token), timeout=10)
    assert response.status_code == 200
    assert response.json()["data"]["mainfile"] == entry["mainfile"]
    missing = requests.get(f"{nomad_server.url}/uploads/{upload_id}/entries/nope",
                           headers=auth(token), timeout=10)
    assert missing.status_code == 404


def test_entries_are_paginated(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(11))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    first = requests.get(f"{nomad_server.url}/uploads/{upload_id}/entries",
                         headers=auth(token), timeout=10).json()
    assert first["pagination"]["total"] == 12 and len(first["data"]) == 10
    second = requests.get(f"{nomad_server.url}/uploads/{upload_id}/entries",
                          params={"page": 2}, headers=auth(token), timeout=10).json()
    assert len(second["data"]) == 2
    mainfiles = {e["mainfile"] for e in first["data"] + second["data"]}
    assert len(mainfiles) == 12


# --- reading, listing, deleting ----------------------------------------------------------


def test_unknown_upload_is_404_and_other_users_upload_is_401(nomad_server):
    token = nomad_server.token()
    missing = requests.get(f"{nomad_server.url}/uploads/nope", headers=auth(token), timeout=10)
    assert missing.status_code == 404
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    for method in ("GET", "DELETE"):
        response = requests.request(method, f"{nomad_server.url}/uploads/{upload_id}",
                                    headers=auth(other), timeout=10)
        assert response.status_code == 401, method
        assert "access" in response.json()["detail"]
    anonymous = requests.get(f"{nomad_server.url}/uploads/{upload_id}", timeout=10)
    assert anonymous.status_code == 401


def test_list_uploads_filters_and_paginates(nomad_server):
    token = nomad_server.token()
    for name in ("alpha", "beta", "beta"):
        create_upload(nomad_server, token, b"", upload_name=name)
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    create_upload(nomad_server, other, b"", upload_name="beta")

    def listing(**params):
        response = requests.get(f"{nomad_server.url}/uploads", params=params,
                                headers=auth(token), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    assert listing()["pagination"]["total"] == 3
    assert [u["upload_name"] for u in listing(upload_name="beta")["data"]] == ["beta", "beta"]
    assert listing(upload_name='{"value": "ALP", "type": "fuzzy"}')["pagination"]["total"] == 1
    assert listing(is_published="false")["pagination"]["total"] == 3
    assert listing(is_published="true")["pagination"]["total"] == 0
    page = listing(page_size=2, order_by="upload_name", order="desc")
    assert [u["upload_name"] for u in page["data"]] == ["beta", "beta"]
    assert listing(page_size=2, page=2)["data"][0]["upload_name"]
    bad = requests.get(f"{nomad_server.url}/uploads", params={"is_published": "maybe"},
                       headers=auth(token), timeout=10)
    assert bad.status_code == 422


def test_delete_upload(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    response = requests.delete(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                               timeout=10)
    assert response.status_code == 200
    assert response.json()["upload_id"] == upload_id
    gone = requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                        timeout=10)
    assert gone.status_code == 404


def test_delete_while_processing_is_400(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(processing_never_ends=True)
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    response = requests.delete(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                               timeout=10)
    assert response.status_code == 400


# --- publishing --------------------------------------------------------------------------


def test_publish_a_processed_upload(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                             params={"embargo_length": 6}, headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    data = wait_done(nomad_server, token, upload_id)
    assert data["published"] is True and data["publish_time"]
    assert data["embargo_length"] == 6 and data["with_embargo"] is True
    again = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                          headers=auth(token), timeout=10)
    assert again.status_code == 400
    assert again.json() == {"detail": "Upload already published."}
    delete = requests.delete(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                             timeout=10)
    assert delete.status_code == 403  # like NOMAD 2.0.0 (tests/realnomad/test_contract_parity.py)
    assert "only admins" in delete.json()["detail"]


def test_publish_while_processing_is_400(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(processing_never_ends=True)
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                             headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert "being processed" in response.json()["detail"]


def test_publish_with_failed_entries_is_400_naming_them(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, archive_zip(
        {"bad.archive.json": "{"}))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                             headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert "bad.archive.json" in response.json()["detail"]


def test_publish_without_entries_is_400(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                             headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert "without any resulting entries" in response.json()["detail"]


def test_publish_directly(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1),
                              publish_directly="true")["upload_id"]
    assert wait_done(nomad_server, token, upload_id)["published"] is True
    anonymous = requests.get(f"{nomad_server.url}/uploads/{upload_id}", timeout=10)
    assert anonymous.status_code == 200  # published without embargo: visible to all


@pytest.mark.parametrize("delay", [0.0])
def test_zero_processing_delay_still_reports_success(nomad_server_factory, delay):
    server = nomad_server_factory(processing_delay=delay)
    token = server.token()
    upload_id = create_upload(server, token, good_upload_zip(1))["upload_id"]
    assert wait_done(server, token, upload_id)["process_status"] == "SUCCESS"
