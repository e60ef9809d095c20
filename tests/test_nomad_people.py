"""People in NOMAD over real HTTP to the stand-in: whose account a token opens, a revoked
token, coauthors in upload metadata, and the unpublished-upload limit per person."""

from __future__ import annotations

import pytest
import requests

from cams_module.nomad.client import NomadClient
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import AuthenticationError, ConfigError
from cams_module.nomad.people import (
    NomadPerson,
    check_token,
    clean_token,
    config_for_token,
    unpublished_uploads,
    upload_limit,
)
from tests.fixtures.nomad_server import good_upload_zip

PEOPLE = {"mario": "Mario Rossi", "anna": "Anna Bianchi"}


@pytest.fixture(scope="module")
def people_nomad(nomad_server_factory):
    """A stand-in with two named people besides the lab user, 2 unpublished uploads each."""
    return nomad_server_factory(people=PEOPLE, extra_args=["--upload-limit", "2"])


@pytest.fixture
def nomad(people_nomad):
    people_nomad.reset()
    return people_nomad


def client_of(nomad, token: str) -> NomadClient:
    return NomadClient(config_for_token(NomadConfig(url=nomad.url), token))


def upload(nomad, token: str, name: str) -> requests.Response:
    return requests.post(f"{nomad.url}/uploads", data=good_upload_zip(1),
                         params={"upload_name": name, "file_name": f"{name}.zip"},
                         headers={"Authorization": f"Bearer {token}",
                                  "Accept": "application/json"}, timeout=30)


def test_a_token_names_its_person_and_a_revoked_one_is_refused(nomad):
    config = NomadConfig(url=nomad.url)
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    person = check_token(config, mario)
    assert (person.username, person.name, person.shown) == ("mario", "Mario Rossi",
                                                            "Mario Rossi (mario)")
    assert check_token(config, anna).user_id not in ("", person.user_id)
    nomad.revoke(mario)
    with pytest.raises(AuthenticationError) as refused:
        check_token(config, mario)
    assert mario not in str(refused.value) and mario not in refused.value.describe()
    assert check_token(config, anna).username == "anna"  # revoking one leaves the others


def test_a_refused_linked_token_says_what_to_do_and_never_logs_in_otherwise(nomad):
    token = nomad.mint_pat("mario")
    config = config_for_token(NomadConfig(url=nomad.url, username=nomad.username,
                                          password=nomad.password), token,
                              refused_hint="m.rossi: renew it on the page.")
    assert (config.username, config.password, config.token) == (None, None, token)
    nomad.revoke(token)
    with NomadClient(config) as client, pytest.raises(AuthenticationError) as refused:
        client.find_uploads()
    assert refused.value.hint == "m.rossi: renew it on the page."
    assert nomad.stats()["routes"].get("POST /auth/token", 0) == 0  # no fallback login


def test_unpublished_uploads_are_counted_per_person_and_coauthors_are_kept(nomad):
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    for name in ("first", "second"):
        assert upload(nomad, mario, name).status_code == 200
    full = upload(nomad, mario, "third")
    assert full.status_code == 400 and "Limit of unpublished uploads" in full.json()["detail"]
    assert upload(nomad, anna, "annas").status_code == 200  # the limit is per person
    with client_of(nomad, mario) as client:
        uploads, total = unpublished_uploads(client)
        assert total == 2 and [u.upload_name for u in uploads] == ["first", "second"]
        assert all(u.gui_url.startswith(nomad.base_url + "/gui/") for u in uploads)
        anna_id = check_token(NomadConfig(url=nomad.url), anna).user_id
        client.wait_for_upload_completion(uploads[0].upload_id, deadline=30)
        edited = client.edit_upload_metadata(uploads[0].upload_id, coauthors=[anna_id])
        assert edited.coauthors == [anna_id]
    with client_of(nomad, anna) as client:  # a coauthor's upload does not count as hers
        assert unpublished_uploads(client)[1] == 1
        assert {u.upload_name for u in client.find_uploads()} == {"annas", "first"}


def test_the_person_shape_and_the_limit_setting():
    person = NomadPerson.from_api({"user_id": "u1", "username": "mario",
                                   "first_name": "Mario", "last_name": "Rossi"})
    assert person.shown == "Mario Rossi (mario)"
    assert upload_limit({}) == 10 and upload_limit({"NOMAD_UPLOAD_LIMIT": "25"}) == 25
    with pytest.raises(ConfigError, match="NOMAD_UPLOAD_LIMIT"):
        upload_limit({"NOMAD_UPLOAD_LIMIT": "ten"})


@pytest.mark.parametrize("pasted, kept", [
    ("  nomad_pat_abc123  ", "nomad_pat_abc123"),
    ("Bearer eyJ.a-b_c.d+e/f=", "eyJ.a-b_c.d+e/f="),
])
def test_a_pasted_token_is_cleaned(pasted, kept):
    assert clean_token(pasted) == kept


@pytest.mark.parametrize("pasted", ["", "   ", "two words", "line\nbreak", None, 17,
                                    "x" * 9000, "tok\x00en"])
def test_what_cannot_be_a_token_is_refused_before_nomad_is_asked(pasted):
    with pytest.raises(ValueError):
        clean_token(pasted)


def test_a_token_nomad_never_issued_is_refused(nomad):
    with pytest.raises(AuthenticationError):
        check_token(NomadConfig(url=nomad.url), "nomad_pat_not-issued-here")
