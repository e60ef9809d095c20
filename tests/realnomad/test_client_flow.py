"""Our NOMAD client's whole flow against the real NOMAD 2.0.0 (no plugin; embedded schema)."""

from __future__ import annotations

import time

import pytest
import requests

from cams_module.api_collection import (
    AuthenticationError,
    ForbiddenError,
    NomadClient,
    NotFoundError,
)
from tests.realnomad.helpers import export_zip, upload


def test_login_upload_poll_entries_publish_with_embargo(real_nomad, tmp_path):
    client = real_nomad.client()
    assert client.whoami()["username"] == real_nomad.username
    path, archives = export_zip("sin_waveguide_07", tmp_path)
    stages: list[str] = []
    done = upload(client, path, "flow-publish", progress=lambda stage, _: stages.append(stage))
    assert stages[0] == "uploading" and "processing" in stages
    assert done.process_status == "SUCCESS" and not done.published
    assert sorted(e.mainfile for e in done.entries) == sorted(archives)
    # the lost-answer lookup: the upload is found by its name
    found = client.find_uploads("flow-publish")
    assert [u.upload_id for u in found] == [done.upload_id]

    published = client.publish_upload(done.upload_id, embargo_length=6)
    published = client.wait_for_upload_completion(published.upload_id)
    assert published.published and published.embargo_length == 6
    with pytest.raises(ForbiddenError) as caught:
        client.delete_upload(done.upload_id)
    assert caught.value.status_code == 403
    assert "only admins" in caught.value.message
    assert "administrators" in caught.value.hint


def test_delete_of_an_unpublished_upload_then_404(real_nomad, tmp_path):
    client = real_nomad.client()
    path, _ = export_zip("mems_gyro_b2", tmp_path)
    done = upload(client, path, "flow-delete")
    client.delete_upload(done.upload_id)
    assert _gone(client, done.upload_id), "the deleted upload is still there"  # async in NOMAD
    with pytest.raises(NotFoundError):
        client.check_upload_status(done.upload_id)


def _gone(client: NomadClient, upload_id: str) -> bool:
    for _ in range(100):
        try:
            client.check_upload_status(upload_id)
        except NotFoundError:
            return True
        time.sleep(0.2)
    return False


def test_wrong_password_is_401(real_nomad):
    client = real_nomad.client(password="not-the-password")
    with pytest.raises(AuthenticationError) as caught:
        client.get_authentication_token()
    assert caught.value.status_code == 401
    assert "not-the-password" not in str(caught.value)


def test_another_users_upload_and_unknown_ids(real_nomad, tmp_path):
    owner = real_nomad.client()
    path, _ = export_zip("hostile_names", tmp_path)
    done = upload(owner, path, "flow-rights")
    other = real_nomad.client(username=real_nomad.other_username,
                              password=real_nomad.other_password)
    try:
        with pytest.raises((ForbiddenError, AuthenticationError, NotFoundError)) as caught:
            other.delete_upload(done.upload_id)
        assert caught.value.status_code in (401, 403, 404)
        with pytest.raises(NotFoundError):
            owner.check_upload_status("no-such-upload-id")
        answer = requests.get(f"{real_nomad.url}/uploads/{done.upload_id}", timeout=10)
        assert answer.status_code == 401  # no token
    finally:
        owner.delete_upload(done.upload_id)
