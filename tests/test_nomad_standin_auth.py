"""The local NOMAD stand-in over real HTTP: tokens (password, app and personal access
tokens, expiry), the current user and the info page."""

from __future__ import annotations

import time

import requests

from tests.standin_http import auth

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
