"""The stand-in's metadata edits, datasets, raw files, archives, schemas and GUI pages."""

from __future__ import annotations

import io
import zipfile

import requests

from tests.fixtures.nomad_server import (
    PROCESS_M_DEF,
    archive_zip,
    good_upload_zip,
    step_archive,
)
from tests.standin_http import auth, create_upload, entries_of, wait_done


def edit(server, token, upload_id, body):
    return requests.post(f"{server.url}/uploads/{upload_id}/edit", json=body,
                         headers=auth(token), timeout=10)


def new_dataset(server, token, name="PicoTCD runs"):
    response = requests.post(f"{server.url}/datasets", json={"dataset_name": name},
                             headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["dataset_id"]


# --- edit ------------------------------------------------------------------------------


def test_edit_upload_metadata(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    dataset_id = new_dataset(nomad_server, token)
    response = edit(nomad_server, token, upload_id, {"metadata": {
        "upload_name": "PicoTCDv3 (CAMS 17)", "comment": "exported from CAMS",
        "references": ["https://cams.example/process/17"],
        "coauthors": [nomad_server.other_username], "datasets": [dataset_id]}})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["upload_name"] == "PicoTCDv3 (CAMS 17)"
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    other_me = requests.get(f"{nomad_server.url}/users/me", timeout=10,
                            headers=auth(other)).json()
    assert data["coauthors"] == [other_me["user_id"]]
    shared = requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(other),
                          timeout=10)
    assert shared.status_code == 200  # a coauthor may see (and change) the upload
    meta = entries_of(nomad_server, token, upload_id)["data"][0]["entry_metadata"]
    assert meta["comment"] == "exported from CAMS"
    assert meta["references"] == ["https://cams.example/process/17"]
    assert meta["datasets"] == [{"dataset_id": dataset_id}]


def test_edit_list_actions_add_and_remove(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    edit(nomad_server, token, upload_id, {"metadata": {"references": ["a", "b"]}})
    edit(nomad_server, token, upload_id, {"metadata": {"references": {"add": "c",
                                                                      "remove": ["a"]}}})
    meta = entries_of(nomad_server, token, upload_id)["data"][0]["entry_metadata"]
    assert meta["references"] == ["b", "c"]


def test_edit_refuses_unknown_fields_users_and_datasets_with_422(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    response = edit(nomad_server, token, upload_id, {"metadata": {
        "colour": "red", "coauthors": ["nobody"], "datasets": ["no-such-dataset"],
        "license": "MIT"}})
    assert response.status_code == 422
    messages = {d["loc"][1]: d["msg"] for d in response.json()["detail"]}
    assert messages["colour"] == "Unknown quantity"
    assert "nobody" in messages["coauthors"]
    assert "no-such-dataset" in messages["datasets"]
    assert messages["license"] == "Admin rights required"
    assert edit(nomad_server, token, upload_id, {"metadata": {}}).status_code == 422


def test_edit_verify_only_changes_nothing(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"", upload_name="before")["upload_id"]
    response = edit(nomad_server, token, upload_id, {"metadata": {"upload_name": "after"},
                                                     "verify_only": True})
    assert response.status_code == 200
    assert response.json()["data"]["upload_name"] == "before"


def test_edit_published_upload_allows_only_lifting_the_embargo(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1),
                              embargo_length=3)["upload_id"]
    wait_done(nomad_server, token, upload_id)
    requests.post(f"{nomad_server.url}/uploads/{upload_id}/action/publish",
                  headers=auth(token), timeout=10)
    assert wait_done(nomad_server, token, upload_id)["with_embargo"] is True
    renamed = edit(nomad_server, token, upload_id, {"metadata": {"upload_name": "x"}})
    assert renamed.status_code == 422
    assert "published" in renamed.json()["detail"][0]["msg"]
    lifted = edit(nomad_server, token, upload_id, {"metadata": {"embargo_length": "0"}})
    assert lifted.status_code == 200
    assert lifted.json()["data"]["with_embargo"] is False


def test_edit_by_another_user_is_401(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    response = edit(nomad_server, other, upload_id, {"metadata": {"upload_name": "mine"}})
    assert response.status_code == 401


# --- datasets --------------------------------------------------------------------------


def test_datasets_create_get_list_delete(nomad_server):
    token = nomad_server.token()
    dataset_id = new_dataset(nomad_server, token, "runs")
    duplicate = requests.post(f"{nomad_server.url}/datasets", json={"dataset_name": "runs"},
                              headers=auth(token), timeout=10)
    assert duplicate.status_code == 400
    one = requests.get(f"{nomad_server.url}/datasets/{dataset_id}", timeout=10).json()
    assert one["data"]["dataset_name"] == "runs"
    listing = requests.get(f"{nomad_server.url}/datasets", params={"dataset_name": "runs"},
                           timeout=10).json()
    assert [d["dataset_id"] for d in listing["data"]] == [dataset_id]
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    forbidden = requests.delete(f"{nomad_server.url}/datasets/{dataset_id}",
                                headers=auth(other), timeout=10)
    assert forbidden.status_code == 403
    assert requests.delete(f"{nomad_server.url}/datasets/{dataset_id}", headers=auth(token),
                           timeout=10).status_code == 200
    assert requests.get(f"{nomad_server.url}/datasets/{dataset_id}",
                        timeout=10).status_code == 404


def test_dataset_needs_a_name_and_a_token(nomad_server):
    token = nomad_server.token()
    assert requests.post(f"{nomad_server.url}/datasets", json={}, headers=auth(token),
                         timeout=10).status_code == 400
    assert requests.post(f"{nomad_server.url}/datasets", json={"dataset_name": "x"},
                         timeout=10).status_code == 401


# --- raw files -------------------------------------------------------------------------


def test_put_raw_zip_replaces_files_and_reprocesses(nomad_server):
    token = nomad_server.token()
    bad = archive_zip({"s.archive.json": step_archive(etching_steps=[{"chamber_pressure": "x"}])})
    upload_id = create_upload(nomad_server, token, bad)["upload_id"]
    wait_done(nomad_server, token, upload_id)
    assert entries_of(nomad_server, token, upload_id)["processing_failed"] == 1
    fixed = archive_zip({"s.archive.json": step_archive(),
                         "t.archive.json": step_archive("Second")})
    response = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/", data=fixed,
                            headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["process_running"] is True
    wait_done(nomad_server, token, upload_id)
    answer = entries_of(nomad_server, token, upload_id)
    assert answer["processing_failed"] == 0 and answer["pagination"]["total"] == 2


def test_put_raw_single_file_multipart_into_a_folder(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    response = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/sub", timeout=10,
                            headers=auth(token), files={"file": (
                                "one.archive.json", b'{"data": {"m_def": "%s", "name": "p"}}'
                                % PROCESS_M_DEF.encode())})
    assert response.status_code == 200, response.text
    wait_done(nomad_server, token, upload_id)
    entry = entries_of(nomad_server, token, upload_id)["data"][0]
    assert entry["mainfile"] == "sub/one.archive.json"
    raw = requests.get(f"{nomad_server.url}/uploads/{upload_id}/raw/sub/one.archive.json",
                       headers=auth(token), timeout=10)
    assert raw.status_code == 200 and b'"name": "p"' in raw.content


def test_put_raw_answers_plain_text_without_accept_json(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    response = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/",
                            data=good_upload_zip(1), timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")


def test_put_raw_on_published_upload_is_401_and_on_processing_is_400(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1),
                              publish_directly="true")["upload_id"]
    busy = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/",
                        data=good_upload_zip(1), headers=auth(token), timeout=10)
    assert busy.status_code == 400
    assert wait_done(nomad_server, token, upload_id)["published"] is True
    refused = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/",
                           data=good_upload_zip(1), headers=auth(token), timeout=10)
    assert refused.status_code == 401
    assert "published" in refused.json()["detail"]


def test_put_raw_refuses_paths_outside_the_upload(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"")["upload_id"]
    evil = archive_zip({"../../escape.archive.json": step_archive()})
    response = requests.put(f"{nomad_server.url}/uploads/{upload_id}/raw/", data=evil,
                            headers=auth(token), timeout=10)
    assert response.status_code == 400


def test_delete_raw_file_and_download_folder_as_zip(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(2))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    # deleting a step leaves the process's reference dangling: it fails on reprocessing
    response = requests.delete(f"{nomad_server.url}/uploads/{upload_id}/raw/"
                               "step_02.archive.json", headers=auth(token), timeout=10)
    assert response.status_code == 200
    wait_done(nomad_server, token, upload_id)
    answer = entries_of(nomad_server, token, upload_id)
    assert answer["pagination"]["total"] == 2 and answer["processing_failed"] == 1
    whole = requests.get(f"{nomad_server.url}/uploads/{upload_id}/raw", headers=auth(token),
                         timeout=10)
    assert whole.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(whole.content)).namelist()
    assert sorted(names) == ["process.archive.json", "step_01.archive.json"]
    missing = requests.get(f"{nomad_server.url}/uploads/{upload_id}/raw/nope.json",
                           headers=auth(token), timeout=10)
    assert missing.status_code == 404


def test_archive_of_an_entry(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    response = requests.get(f"{nomad_server.url}/uploads/{upload_id}/archive/mainfile/"
                            "step_01.archive.json", headers=auth(token), timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["archive"]["data"]["name"] == "Step 1"
    by_id = requests.get(f"{nomad_server.url}/uploads/{upload_id}/archive/{body['entry_id']}",
                         headers=auth(token), timeout=10)
    assert by_id.json()["entry_id"] == body["entry_id"]


# --- schemas and GUI -------------------------------------------------------------------


def test_schema_as_jsonschema(nomad_server):
    response = requests.get(f"{nomad_server.url}/schemas/{PROCESS_M_DEF}",
                            params={"format": "jsonschema"}, timeout=10)
    assert response.status_code == 200
    doc = response.json()
    assert doc["$schema"] and "properties" in doc
    unknown = requests.get(f"{nomad_server.url}/schemas/schema_packages.No.Such", timeout=10)
    assert unknown.status_code == 404
    unloadable = requests.get(  # NOMAD 2.0 cannot load Track: it answers 404 for it
        f"{nomad_server.url}/schemas/schema_packages.steps.transform.Track",
        params={"format": "jsonschema"}, timeout=10)
    assert unloadable.status_code == 404
    bad = requests.get(f"{nomad_server.url}/schemas/{PROCESS_M_DEF}",
                       params={"format": "yaml"}, timeout=10)
    assert bad.status_code == 422


def test_gui_pages_show_upload_and_entry_status(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, archive_zip({
        "ok.archive.json": step_archive(), "bad.archive.json": "{"}))["upload_id"]
    wait_done(nomad_server, token, upload_id)
    page = requests.get(f"{nomad_server.base_url}/gui/user/uploads/upload/id/{upload_id}",
                        timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Local NOMAD stand-in" in page.text and "not</em> NOMAD" in page.text
    assert "bad.archive.json" in page.text and "FAILURE" in page.text
    entry = next(e for e in entries_of(nomad_server, token, upload_id)["data"]
                 if e["mainfile"] == "bad.archive.json")
    entry_page = requests.get(f"{nomad_server.base_url}/gui/user/uploads/upload/id/"
                              f"{upload_id}/entry/id/{entry['entry_id']}", timeout=10)
    assert entry_page.status_code == 200 and "JSON" in entry_page.text
    assert requests.get(f"{nomad_server.base_url}/gui/user/uploads/upload/id/nope",
                        timeout=10).status_code == 404


def test_unknown_api_path_is_404(nomad_server):
    assert requests.get(f"{nomad_server.url}/nothing", timeout=10).status_code == 404


def test_second_schema_set_is_accepted_when_configured(nomad_server_factory):
    old_style = {"o.archive.json": {"data": {
        "m_def": "fabrication_facilities.schema_packages.add.Bonding", "name": "Bond"}}}
    server = nomad_server_factory(extra_args=[
        "--schema-set", "fabrication-utilities-2.0,fabrication-utilities-2025.04"])
    info = requests.get(f"{server.url}/info", timeout=10).json()
    assert info["metainfo_packages"] == ["fabrication-utilities-2.0",
                                         "fabrication-utilities-2025.04"]
    token = server.token()
    upload_id = create_upload(server, token, archive_zip(old_style))["upload_id"]
    wait_done(server, token, upload_id)
    assert entries_of(server, token, upload_id)["data"][0]["process_status"] == "SUCCESS"


def test_default_schema_set_refuses_the_old_plugin_classes(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, archive_zip({"o.archive.json": {"data": {
        "m_def": "fabrication_facilities.schema_packages.add.Bonding", "name": "B"}}}))[
        "upload_id"]
    wait_done(nomad_server, token, upload_id)
    entry = entries_of(nomad_server, token, upload_id)["data"][0]
    assert entry["process_status"] == "FAILURE"
    assert "fabrication-utilities-2.0" in entry["errors"][0]


def test_auto_decompress_false_keeps_the_zip(nomad_server):
    token = nomad_server.token()
    payload = good_upload_zip(1)
    response = requests.post(f"{nomad_server.url}/uploads", data=payload,
                             params={"auto_decompress": "false", "file_name": "keep.zip"},
                             headers=auth(token), timeout=10)
    upload_id = response.json()["upload_id"]
    assert response.json()["data"]["upload_name"] == "keep.zip"
    wait_done(nomad_server, token, upload_id)
    assert entries_of(nomad_server, token, upload_id)["pagination"]["total"] == 0
    raw = requests.get(f"{nomad_server.url}/uploads/{upload_id}/raw/keep.zip",
                       headers=auth(token), timeout=10)
    assert raw.content == payload


def test_embargoed_published_upload_is_hidden_from_others(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, good_upload_zip(1), embargo_length=12,
                              publish_directly="true")["upload_id"]
    assert wait_done(nomad_server, token, upload_id)["published"] is True
    other = nomad_server.token(nomad_server.other_username, nomad_server.other_password)
    response = requests.get(f"{nomad_server.url}/uploads/{upload_id}", headers=auth(other),
                            timeout=10)
    assert response.status_code == 401
    assert "embargo" in response.json()["detail"]


def test_gui_uploads_list_links_each_upload(nomad_server):
    token = nomad_server.token()
    upload_id = create_upload(nomad_server, token, b"", upload_name="listed")["upload_id"]
    page = requests.get(f"{nomad_server.base_url}/gui/user/uploads", timeout=10)
    assert page.status_code == 200
    assert f"/gui/user/uploads/upload/id/{upload_id}" in page.text and "listed" in page.text
