"""The local NOMAD stand-in over real HTTP: creating uploads (bodies, tokens, embargo, the
limit of unpublished uploads), reading, listing and deleting them. Tokens:
test_nomad_standin_auth.py; processing and publishing: test_nomad_standin_processing.py."""

from __future__ import annotations

import requests

from tests.fixtures.nomad_server import good_upload_zip
from tests.standin_http import JSON, auth, create_upload, entries_of, wait_done

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
