"""Fault injection, request statistics and the protection of the test controls."""

from __future__ import annotations

import time

import pytest
import requests

from tests.fixtures.nomad_server import good_upload_zip
from tests.standin_http import auth, create_upload, wait_done


def test_status_fault_with_retry_after_applies_n_times(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(match="POST /uploads", status=503, retry_after=1, times=2)
    for _ in range(2):
        response = requests.post(f"{nomad_server.url}/uploads", data=b"", headers=auth(token),
                                 timeout=10)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert "detail" in response.json()
    assert requests.post(f"{nomad_server.url}/uploads", data=b"", headers=auth(token),
                         timeout=10).status_code == 200


def test_fault_match_is_method_and_path_specific(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(match="GET /uploads/*", status=500)
    listing = requests.get(f"{nomad_server.url}/uploads", headers=auth(token), timeout=10)
    assert listing.status_code == 200
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    response = requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token),
                            timeout=10)
    assert response.status_code == 500


def test_fault_without_match_hits_the_next_api_call(nomad_server):
    nomad_server.fault(status=500)
    assert requests.get(f"{nomad_server.url}/info", timeout=10).status_code == 500
    assert requests.get(f"{nomad_server.url}/info", timeout=10).status_code == 200


def test_dropped_connection_before_answering(nomad_server):
    nomad_server.fault(match="GET /info", drop_connection=True)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{nomad_server.url}/info", timeout=10)
    assert requests.get(f"{nomad_server.url}/info", timeout=10).status_code == 200


def test_dropped_answer_after_the_upload_was_created(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(match="POST /uploads", drop_connection="after")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{nomad_server.url}/uploads", data=good_upload_zip(1),
                      params={"upload_name": "lost-answer"}, headers=auth(token), timeout=10)
    found = requests.get(f"{nomad_server.url}/uploads", params={"upload_name": "lost-answer"},
                         headers=auth(token), timeout=10).json()
    assert found["pagination"]["total"] == 1


def test_slow_answer_trips_a_client_timeout(nomad_server):
    nomad_server.fault(match="GET /info", delay=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(f"{nomad_server.url}/info", timeout=0.2)


def test_expire_tokens_invalidates_every_issued_token(nomad_server):
    token = nomad_server.token()
    pat = nomad_server.mint_pat()
    nomad_server.fault(expire_tokens=True)
    for bearer in (token, pat):
        response = requests.get(f"{nomad_server.url}/users/me", headers=auth(bearer),
                                timeout=10)
        assert response.status_code == 401
    fresh = nomad_server.token()
    assert requests.get(f"{nomad_server.url}/users/me", headers=auth(fresh),
                        timeout=10).status_code == 200


def test_processing_never_ends(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(processing_never_ends=True)
    stuck = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    normal = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    assert wait_done(nomad_server, token, normal)["process_status"] == "SUCCESS"
    time.sleep(0.5)  # longer than the 0.2 s processing delay
    data = requests.get(f"{nomad_server.url}/uploads/{stuck}", headers=auth(token),
                        timeout=10).json()["data"]
    assert data["process_running"] is True and data["process_status"] == "RUNNING"


def test_stats_count_requests_per_route(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token), timeout=10)
    requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(token), timeout=10)
    stats = nomad_server.stats()
    assert stats["routes"] == {"POST /auth/token": 1, "POST /uploads": 1,
                               "GET /uploads/{upload_id}": 2}
    assert stats["total_requests"] == 4


def test_reset_forgets_uploads_and_tokens(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    nomad_server.reset()
    assert requests.get(f"{nomad_server.url}/users/me", headers=auth(token),
                        timeout=10).status_code == 401
    fresh = nomad_server.token()
    assert requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(fresh),
                        timeout=10).status_code == 404
    assert nomad_server.stats()["total_requests"] == 3


def test_controls_are_hidden_without_the_control_header(nomad_server):
    for method, path in (("POST", "reset"), ("GET", "stats"), ("POST", "faults")):
        response = requests.request(method, f"{nomad_server.base_url}/_standin/{path}",
                                    json=[], timeout=10)
        assert response.status_code == 404


def test_bad_fault_lists_are_refused(nomad_server):
    response = requests.post(f"{nomad_server.base_url}/_standin/faults", timeout=10,
                             json=[{"sttaus": 500}], headers={"X-Standin-Control": "1"})
    assert response.status_code == 400
    assert "sttaus" in response.json()["detail"]


def test_processing_fails_at_upload_level(nomad_server):
    token = nomad_server.token()
    nomad_server.fault(processing_fails=True)
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    data = wait_done(nomad_server, token, upload_id)
    assert data["process_status"] == "FAILURE"
    assert "Injected fault" in data["errors"][0]
    response = requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                             headers=auth(token), timeout=10)
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot publish an upload that failed processing."}
