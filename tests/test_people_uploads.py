"""Each scientist uploads as themselves: CAMS users link NOMAD tokens on "My NOMAD account"
and press Upload FAIR through jam.py's HTTP API; the stand-in (real HTTP) says who the main
author and the coauthors of each upload are.

The stand-in knows the facility's account (`lab-user`, NOMAD_USERNAME/PASSWORD of CAMS)
and three people: mario (m.rossi in CAMS), anna (a.bianchi) and luca (no CAMS link).
MEMS-Gyro-B2 belongs to a.bianchi; its step 4 was operated by l.verdi, step 7 by m.rossi.
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from cams_module.lims.accounts import new_key
from tests.fixtures.nomad_server import good_upload_zip

DONE = ("processed", "failed", "published", "not uploaded")
PEOPLE = {"mario": "Mario Rossi", "anna": "Anna Bianchi", "luca": "Luca Verdi"}
LIMIT = 3


@pytest.fixture(scope="module")
def people_nomad(nomad_server_factory):
    return nomad_server_factory(people=PEOPLE, extra_args=["--upload-limit", str(LIMIT)])


@pytest.fixture
def nomad(people_nomad):
    people_nomad.check_alive()
    people_nomad.reset()
    return people_nomad


@pytest.fixture
def cams(cams_server_factory, nomad):
    server = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_KEY": new_key(),
                                                   "NOMAD_UPLOAD_LIMIT": str(LIMIT)})
    yield server
    server.stop()


def nomad_get(nomad, token: str, path: str, **params) -> dict:
    reply = requests.get(f"{nomad.url}{path}", params=params, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    reply.raise_for_status()
    return reply.json()


def user_id(nomad, token: str) -> str:
    return nomad_get(nomad, token, "/users/me")["user_id"]


def link(session, token: str) -> dict:
    reply = session.call("nomad_account", "save_nomad_token", token)
    assert reply["ok"] is True, reply
    assert token not in json.dumps(reply)
    return reply


def upload_and_wait(session, process: str, statuses=DONE) -> dict:
    pid = session.process_id(process)
    reply = session.call("processes", "upload_fair", pid)
    assert reply["ok"] is True, reply
    return session.wait_status(pid, statuses, timeout=90)


def test_two_scientists_upload_as_themselves_and_name_their_operators(cams, nomad):
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    rossi, bianchi = cams.login("m.rossi"), cams.login("a.bianchi")
    assert link(rossi, mario)["account"]["shown"] == "Mario Rossi (mario)"
    assert "Linked to NOMAD account Anna Bianchi (anna)" in link(bianchi, anna)["message"]

    state = upload_and_wait(rossi, "PicoTCDv3")
    assert state["status"] == "processed", state["message"]
    assert "Sent as NOMAD account Mario Rossi (mario) (m.rossi's own)" in state["message"]
    upload = nomad_get(nomad, mario, f"/uploads/{state['upload_id']}")["data"]
    assert upload["main_author"] == user_id(nomad, mario)
    assert upload["coauthors"] == []  # every step of PicoTCDv3 is m.rossi's own

    state = upload_and_wait(bianchi, "MEMS-Gyro-B2")
    assert state["status"] == "processed", state["message"]
    upload = nomad_get(nomad, anna, f"/uploads/{state['upload_id']}")["data"]
    assert upload["main_author"] == user_id(nomad, anna)
    assert upload["coauthors"] == [user_id(nomad, mario)]  # l.verdi linked no account
    assert "coauthors: Mario Rossi (mario)" in state["message"]

    facility = nomad_get(nomad, nomad.token(), "/uploads", roles="main_author")
    assert facility["pagination"]["total"] == 0
    assert nomad.stats()["routes"].get("POST /auth/token", 0) == 1  # our own check only


def test_without_a_link_the_facility_uploads_and_names_the_linked_people(cams, nomad):
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    link(cams.login("m.rossi"), mario)
    link(cams.login("a.bianchi"), anna)
    steward = cams.login("steward")  # may upload any process; no NOMAD account linked
    state = upload_and_wait(steward, "MEMS-Gyro-B2")
    assert state["status"] == "processed", state["message"]
    assert "Sent as the facility's NOMAD account lab-user" in state["message"]
    upload = nomad_get(nomad, nomad.token(), f"/uploads/{state['upload_id']}")["data"]
    assert upload["main_author"] == user_id(nomad, nomad.token())
    assert sorted(upload["coauthors"]) == sorted([user_id(nomad, anna),
                                                  user_id(nomad, mario)])
    # a coauthor sees it among her uploads and may publish it with her own token
    assert state["upload_id"] in [u["upload_id"] for u in
                                  nomad_get(nomad, anna, "/uploads")["data"]]


def test_a_revoked_token_ends_the_job_telling_its_owner_to_renew_it(cams, nomad):
    mario = nomad.mint_pat("mario")
    rossi = cams.login("m.rossi")
    link(rossi, mario)
    nomad.revoke(mario)
    state = upload_and_wait(rossi, "Quick-Clean", ("not uploaded", "failed", "processed"))
    assert state["status"] == "failed" and not state["busy"]
    assert "NOMAD refused the token m.rossi linked" in state["message"]
    assert ("m.rossi: create a new token in NOMAD and save it on your 'My NOMAD account' "
            "page") in state["message"]
    assert "Nothing was sent with another account" in state["message"]
    routes = nomad.stats()["routes"]
    assert routes.get("POST /uploads", 0) == 0 and routes.get("POST /auth/token", 0) == 0
    page = rossi.call("nomad_account", "nomad_account")
    assert page["account"]["refused_at"] and "NOMAD refused your token" in page["message"]
    [log] = rossi.rows("upload_log", ["process", "user_login", "outcome", "errors"],
                       process=rossi.process_id("Quick-Clean"))
    assert (log["user_login"], log["outcome"]) == ("m.rossi", "failed")
    assert mario not in json.dumps(log) and mario not in cams.log_text()

    renewed = nomad.mint_pat("mario")  # saving a new token clears the warning
    link(rossi, renewed)
    assert rossi.call("nomad_account", "nomad_account")["account"]["refused_at"] is None
    state = upload_and_wait(rossi, "Quick-Clean")
    assert state["status"] == "processed", state["message"]


def test_a_full_account_is_refused_at_once_listing_what_to_publish(cams, nomad):
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    for number in range(LIMIT):
        made = requests.post(f"{nomad.url}/uploads", data=good_upload_zip(1), timeout=30,
                             params={"upload_name": f"old-{number}"},
                             headers={"Authorization": f"Bearer {mario}",
                                      "Accept": "application/json"})
        assert made.status_code == 200, made.text
    rossi, bianchi = cams.login("m.rossi"), cams.login("a.bianchi")
    link(rossi, mario)
    link(bianchi, anna)
    created = nomad.stats()["routes"]["POST /uploads"]
    pid = rossi.process_id("Quick-Clean")
    pressed = time.monotonic()
    assert rossi.call("processes", "upload_fair", pid)["ok"] is True
    state = rossi.wait_status(pid, ("not uploaded", "processed", "failed"), timeout=30)
    print(f"refused {time.monotonic() - pressed:.2f} s after the press")
    assert state["status"] == "not uploaded" and state["outcome"] == "limit"
    assert ("your NOMAD account Mario Rossi (mario) already holds 3 unpublished uploads, "
            "the most NOMAD allows (3)") in state["message"]
    listed = [e["message"] for e in state["errors"]]
    assert [m.split("'")[1] for m in listed] == ["old-0", "old-1", "old-2"]
    assert all(e["link"].startswith(nomad.base_url + "/gui/user/uploads/upload/id/")
               and e["link"] in e["message"] for e in state["errors"])
    assert nomad.stats()["routes"]["POST /uploads"] == created  # nothing was sent

    state = upload_and_wait(bianchi, "MEMS-Gyro-B2")  # the limit is mario's, not anna's
    assert state["status"] == "processed", state["message"]
