"""Request bodies of the stand-in: multipart and chunked bodies split at awkward places."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
import requests

from cams_module.standin.bodies import BodyError, BodyReader
from tests.test_nomad_standin import auth, create_upload, entries_of, wait_done


class Headers(dict):
    def get(self, key, default=None):
        return super().get(key.lower(), default)


def multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def reader(body: bytes, content_type: str) -> BodyReader:
    return BodyReader(io.BytesIO(body), Headers({"content-length": str(len(body)),
                                                 "content-type": content_type}))


@pytest.mark.parametrize("size", [0, 1, 70, 64 * 1024 - 3, 64 * 1024 + 5, 200_000])
def test_multipart_file_content_survives_chunk_boundaries(tmp_path, size):
    # near-misses of the delimiter, never the delimiter itself
    content = (b"\r\n--bn\x00\r\n-" + os.urandom(16).replace(b"\r", b"")) * (size // 20 + 1)
    content = content[:size]
    body = multipart("bnd", [("upload_name", None, b"x"), ("file", "a.zip", content)])
    parts = reader(body, "multipart/form-data; boundary=bnd").save_multipart(tmp_path)
    assert [(p.name, p.filename) for p in parts] == [("upload_name", None), ("file", "a.zip")]
    assert parts[0].value == "x"
    assert parts[1].path.read_bytes() == content


def test_truncated_multipart_is_a_body_error(tmp_path):
    body = multipart("bnd", [("file", "a.zip", b"abc")])[:-12]
    with pytest.raises(BodyError):
        reader(body, "multipart/form-data; boundary=bnd").save_multipart(tmp_path)


def test_chunked_body_is_decoded(tmp_path):
    raw = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
    body = BodyReader(io.BytesIO(raw), Headers({"transfer-encoding": "chunked"}))
    assert body.read_all(limit=100) == b"hello world"
    assert not body.present


def test_large_multipart_upload_over_http(nomad_server, tmp_path):
    token = nomad_server.token()
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("blob.bin", os.urandom(3 * 1024 * 1024))
        zf.writestr("s.archive.json", '{"data": {"m_def": "schema_packages.steps.remove.'
                                      'etching.dry_etching.RIE", "name": "x"}}')
    with open(path, "rb") as handle:
        response = requests.post(f"{nomad_server.url}/uploads", headers=auth(token),
                                 files={"file": ("big.zip", handle)}, timeout=30)
    assert response.status_code == 200, response.text
    upload_id = response.json()["upload_id"]
    wait_done(nomad_server, token, upload_id)
    assert entries_of(nomad_server, token, upload_id)["data"][0]["process_status"] == "SUCCESS"
    blob = requests.get(f"{nomad_server.url}/uploads/{upload_id}/raw/blob.bin",
                        headers=auth(token), timeout=30)
    assert len(blob.content) == 3 * 1024 * 1024


def test_empty_upload_has_no_entries(nomad_server):
    token = nomad_server.token()
    data = create_upload(nomad_server, token, b"")["data"]
    assert data["process_running"] is False and data["entries"] == 0
