"""Every failure path of the NOMAD client against the stand-in's injected faults."""

import socket

import pytest

from cams_module.api_collection import (
    AuthenticationError,
    ForbiddenError,
    NomadClient,
    NomadConfig,
    NomadTimeout,
    NomadUnavailable,
    NotFoundError,
    RequestRejected,
    RetryPolicy,
)
from tests.nomad_helpers import fast_client, write_upload_zip


@pytest.fixture
def client(nomad_server):
    with fast_client(nomad_server) as c:
        yield c


@pytest.fixture
def zip_path(tmp_path):
    return write_upload_zip(tmp_path / "PicoTCDv3.zip", steps=2)


def _routes(server):
    return server.stats()["routes"]


def _uploaded(client, zip_path):
    return client.upload_to_NOMAD(zip_path, upload_name="PicoTCDv3")


# -- authentication ---------------------------------------------------------------------
def test_wrong_password(nomad_server):
    with fast_client(nomad_server, password="not-the-password") as client:
        with pytest.raises(AuthenticationError) as info:
            client.get_authentication_token()
    err = info.value
    assert nomad_server.username in str(err) and "NOMAD_PASSWORD" in err.hint
    assert err.status_code == 401
    assert "not-the-password" not in str(err) + repr(err) + err.hint
    assert err.response.request.body is None  # the form with the password is dropped


def test_no_credentials_at_all(nomad_server):
    client = NomadClient(NomadConfig(url=nomad_server.url))
    with pytest.raises(AuthenticationError) as info:
        client.find_uploads()
    assert "NOMAD_TOKEN" in info.value.hint
    assert nomad_server.stats()["total_requests"] == 0


def test_login_uses_post_with_grant_type(nomad_server, client):
    client.get_authentication_token()
    assert _routes(nomad_server) == {"POST /auth/token": 1}


def test_expired_token_leads_to_exactly_one_new_login(nomad_server, client, zip_path):
    upload = _uploaded(client, zip_path)
    nomad_server.fault(expire_tokens=True)
    assert client.check_upload_status(upload.upload_id).upload_id == upload.upload_id
    assert _routes(nomad_server)["POST /auth/token"] == 2


def test_expired_token_while_sending_a_zip_sends_it_whole_again(nomad_server, client,
                                                                 zip_path):
    client.get_authentication_token()
    nomad_server.fault(expire_tokens=True)
    upload = client.upload_file(zip_path)
    assert upload.succeeded and len(upload.entries) == 3
    assert _routes(nomad_server)["POST /uploads"] == 2


def test_zip_sent_whole_again_after_lost_answer(nomad_server, client, zip_path):
    client.get_authentication_token()
    nomad_server.fault(match="POST /uploads", drop_connection="before")
    upload = client.upload_file(zip_path)
    assert upload.succeeded and len(upload.entries) == 3


def test_expired_token_without_password_fails_clearly(nomad_server):
    with fast_client(nomad_server, token=nomad_server.mint_pat()) as client:
        client.find_uploads()
        nomad_server.fault(expire_tokens=True)
        with pytest.raises(AuthenticationError) as info:
            client.find_uploads()
    assert "NOMAD_TOKEN" in info.value.hint
    assert "POST /auth/token" not in _routes(nomad_server)


def test_invalid_token_fails_clearly(nomad_server):
    with fast_client(nomad_server, token="nomad_pat_revoked0123456789") as client:
        with pytest.raises(AuthenticationError) as info:
            client.find_uploads()
    assert "nomad_pat_revoked0123456789" not in str(info.value) + info.value.hint


def test_refused_twice_after_relogin_is_reported(nomad_server, client):
    client.get_authentication_token()
    nomad_server.fault(match="GET /uploads", status=401, times=2, detail="Invalid token.")
    with pytest.raises(AuthenticationError) as info:
        client.find_uploads()
    # the new login worked, so NOMAD's 401 means this account lacks rights
    assert isinstance(info.value, ForbiddenError)
    assert "Invalid token." in str(info.value)
    assert _routes(nomad_server)["POST /auth/token"] == 2


def test_other_users_upload_is_forbidden(nomad_server, client, zip_path):
    upload = _uploaded(client, zip_path)
    with fast_client(nomad_server, username=nomad_server.other_username,
                     password=nomad_server.other_password) as other:
        with pytest.raises((ForbiddenError, NotFoundError)) as info:
            other.delete_upload(upload.upload_id)
    assert info.value.hint


def test_403(nomad_server, client):
    nomad_server.fault(match="GET /uploads", status=403, detail="Not your upload.")
    with pytest.raises(ForbiddenError) as info:
        client.find_uploads()
    assert "Not your upload." in str(info.value) and info.value.hint


# -- answers that are errors ------------------------------------------------------------
def test_404_unknown_upload(client):
    with pytest.raises(NotFoundError) as info:
        client.check_upload_status("no-such-upload")
    assert "no-such-upload" in str(info.value) and info.value.status_code == 404


def test_400_carries_nomads_message(nomad_server, client, zip_path):
    nomad_server.fault(match="POST /uploads", status=400,
                       detail="Limit of unpublished uploads exceeded for user.")
    with pytest.raises(RequestRejected) as info:
        _uploaded(client, zip_path)
    assert info.value.detail == "Limit of unpublished uploads exceeded for user."
    assert "Limit of unpublished uploads exceeded" in str(info.value)


def test_503_with_retry_after_then_success(nomad_server, client, zip_path):
    upload = _uploaded(client, zip_path)
    nomad_server.fault(match="GET /uploads/*", status=503, retry_after=0.2)
    assert client.check_upload_status(upload.upload_id).upload_id == upload.upload_id
    assert _routes(nomad_server)["GET /uploads/{upload_id}"] == 2


def test_503_retry_after_longer_than_budget_gives_up(nomad_server, zip_path):
    with fast_client(nomad_server) as client:
        client.http.retry = RetryPolicy(budget=1.0)
        nomad_server.fault(match="GET /uploads", status=503, retry_after=30)
        with pytest.raises(NomadUnavailable) as info:
            client.find_uploads()
    assert "30" in info.value.hint


def test_sub_second_retry_after_is_never_wait_0_s(nomad_server):
    with fast_client(nomad_server) as client:
        client.http.retry = RetryPolicy(attempts=1, budget=0.1)
        nomad_server.fault(match="GET /uploads", status=503, retry_after=0.4, times=5)
        with pytest.raises(NomadUnavailable) as info:
            client.find_uploads()
    assert "wait 1 s" in info.value.hint


def test_502_504_retried_on_get(nomad_server, client):
    nomad_server.faults([{"match": "GET /uploads", "status": 502},
                         {"match": "GET /uploads", "status": 504}])
    assert client.find_uploads() == []
    assert _routes(nomad_server)["GET /uploads"] == 3


def test_500_is_not_retried(nomad_server, client):
    nomad_server.fault(match="GET /uploads", status=500, detail="database exploded")
    with pytest.raises(NomadUnavailable) as info:
        client.find_uploads()
    assert "database exploded" in str(info.value) and "500" in str(info.value)
    assert _routes(nomad_server)["GET /uploads"] == 1


def test_persistent_503_bounded(nomad_server, client):
    nomad_server.fault(match="GET /uploads", status=503, times=50)
    with pytest.raises(NomadUnavailable):
        client.find_uploads()
    assert _routes(nomad_server)["GET /uploads"] == client.http.retry.attempts


def test_non_idempotent_post_not_retried_on_503_without_retry_after(nomad_server, client):
    client.get_authentication_token()
    nomad_server.fault(match="POST /datasets", status=503)
    with pytest.raises(NomadUnavailable):
        client.create_dataset("once")
    assert _routes(nomad_server)["POST /datasets"] == 1


# -- lost answers ------------------------------------------------------------------------
def test_dropped_connection_on_get_is_retried(nomad_server, client, zip_path):
    upload = _uploaded(client, zip_path)
    nomad_server.fault(match="GET /uploads/*", drop_connection=True)
    assert client.check_upload_status(upload.upload_id).upload_id == upload.upload_id


def test_creating_post_answer_lost_is_found_by_name(nomad_server, client, zip_path):
    client.get_authentication_token()
    nomad_server.fault(match="POST /uploads", drop_connection="after")
    upload = _uploaded(client, zip_path)
    uploads = client.find_uploads()
    assert [u.upload_id for u in uploads] == [upload.upload_id]  # exactly one
    assert _routes(nomad_server)["POST /uploads"] == 1


def test_creating_post_dropped_before_is_sent_again_once(nomad_server, client, zip_path):
    client.get_authentication_token()
    nomad_server.fault(match="POST /uploads", drop_connection="before")
    upload = _uploaded(client, zip_path)
    assert [u.upload_id for u in client.find_uploads()] == [upload.upload_id]
    assert _routes(nomad_server)["POST /uploads"] == 2


def test_creating_post_503_rate_limited_then_created_once(nomad_server, client, zip_path):
    client.get_authentication_token()
    nomad_server.fault(match="POST /uploads", status=503, retry_after=0.1)
    upload = client.upload_file(zip_path)
    assert upload.succeeded
    assert [u.upload_id for u in client.find_uploads()] == [upload.upload_id]


def test_publish_answer_lost_is_not_repeated(nomad_server, client, zip_path):
    upload = client.upload_file(zip_path)
    nomad_server.fault(match="POST /uploads/*/action/publish", drop_connection="after")
    client.publish_upload(upload.upload_id)
    assert client.wait_for_upload_completion(upload.upload_id, deadline=30).published
    assert _routes(nomad_server)["POST /uploads/{upload_id}/action/publish"] == 1


def test_delete_answer_lost_counts_as_deleted(nomad_server, client, zip_path):
    upload = client.upload_file(zip_path)
    nomad_server.fault(match="DELETE /uploads/*", drop_connection="after")
    client.delete_upload(upload.upload_id)  # no NotFoundError from the repeated DELETE


def test_slow_answer_within_timeout(nomad_server, zip_path):
    with fast_client(nomad_server, timeout=3.0) as client:
        client.get_authentication_token()
        nomad_server.fault(match="GET /uploads", delay=0.3)
        assert client.find_uploads() == []


def test_slow_answer_beyond_timeout(nomad_server):
    with fast_client(nomad_server, timeout=0.2) as client:
        client.get_authentication_token()
        nomad_server.fault(match="GET /uploads", delay=0.6, times=client.http.retry.attempts)
        with pytest.raises(NomadUnavailable) as info:
            client.find_uploads()
    assert "within 0.2 s" in str(info.value)
    assert f"after {client.http.retry.attempts} tries" in str(info.value)


def test_nothing_listening():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = NomadClient(NomadConfig(url=f"http://127.0.0.1:{port}", token="t"),
                         retry=RetryPolicy(backoff=0.01, max_backoff=0.02))
    with pytest.raises(NomadUnavailable) as info:
        client.check_upload_status("x")
    assert f"127.0.0.1:{port}" in str(info.value) and info.value.hint


# -- processing ------------------------------------------------------------------------
def test_processing_that_never_ends(nomad_server, client, zip_path):
    nomad_server.fault(processing_never_ends=True)
    with pytest.raises(NomadTimeout) as info:
        client.upload_file(zip_path, deadline=0.8)
    err = info.value
    assert err.upload_id and err.upload_id in str(err)
    assert f"cams-nomad status {err.upload_id}" in err.hint
    assert client.check_upload_status(err.upload_id).process_running
