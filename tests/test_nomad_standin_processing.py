"""The local NOMAD stand-in over real HTTP: processing outcomes of the entries (success,
failures naming the field, warnings, stable ids, paging) and publishing."""

from __future__ import annotations

import time

import pytest
import requests

from tests.fixtures.nomad_server import archive_zip, good_upload_zip, process_archive, step_archive
from tests.standin_http import auth, create_upload, entries_of, processed, wait_done

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
