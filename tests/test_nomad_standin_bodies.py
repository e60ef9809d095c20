"""Request bodies of the stand-in over real HTTP: multipart and chunked bodies split at
awkward places, and malformed ones refused with 400."""

from __future__ import annotations

import os
import socket
import zipfile
from urllib.parse import urlsplit

import pytest
import requests

from tests.standin_http import JSON, auth, create_upload, entries_of, wait_done


def multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def raw_file(server, token: str, upload_id: str, name: str) -> bytes:
    response = requests.get(f"{server.url}/uploads/{upload_id}/raw/{name}",
                            headers=auth(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def send_raw(server, head: str, body: bytes) -> bytes:
    """Send one hand-made HTTP request and return the whole answer (the server closes)."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        answer = b""
        while data := sock.recv(65536):
            answer += data
    return answer


def uploads_of(server, token: str) -> int:
    return requests.get(f"{server.url}/uploads", headers=auth(token),
                        timeout=10).json()["pagination"]["total"]


@pytest.mark.parametrize("size", [0, 1, 70, 64 * 1024 - 3, 64 * 1024 + 5, 200_000])
def test_multipart_file_content_survives_chunk_boundaries(nomad_server, size):
    token = nomad_server.token()
    # near-misses of the delimiter, never the delimiter itself
    content = (b"\r\n--bn\x00\r\n-" + os.urandom(16).replace(b"\r", b"")) * (size // 20 + 1)
    content = content[:size]
    body = multipart("bnd", [("upload_name", None, b"x"), ("file", "a.bin", content)])
    response = requests.post(f"{nomad_server.url}/uploads", data=body, timeout=30, headers={
        **auth(token), "Content-Type": "multipart/form-data; boundary=bnd"})
    assert response.status_code == 200, response.text
    upload_id = response.json()["upload_id"]
    assert raw_file(nomad_server, token, upload_id, "a.bin") == content


def test_truncated_multipart_is_refused_and_creates_nothing(nomad_server):
    token = nomad_server.token()
    body = multipart("bnd", [("file", "a.zip", b"abc")])[:-12]
    response = requests.post(f"{nomad_server.url}/uploads", data=body, timeout=10, headers={
        **auth(token), "Content-Type": "multipart/form-data; boundary=bnd"})
    assert response.status_code == 400
    assert "multipart" in response.json()["detail"]
    assert uploads_of(nomad_server, token) == 0


def test_multipart_without_boundary_is_refused(nomad_server):
    token = nomad_server.token()
    response = requests.post(f"{nomad_server.url}/uploads", data=b"--x--\r\n", timeout=10,
                             headers={**auth(token), "Content-Type": "multipart/form-data"})
    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]


def test_chunked_body_in_odd_sized_chunks_is_decoded(nomad_server):
    token = nomad_server.token()
    content = b'{"data": {"m_def": "x", "name": "' + b"y" * 5000 + b'"}}'
    chunked = b""
    for start, size in ((0, 1), (1, 7), (8, 0x1000)):
        part = content[start:start + size]
        chunked += f"{len(part):X}\r\n".encode() + part + b"\r\n"
    rest = content[8 + 0x1000:]
    chunked += f"{len(rest):x}\r\n".encode() + rest + b"\r\n0\r\n\r\n"
    host = urlsplit(nomad_server.url).netloc
    head = (f"POST /api/v1/uploads?file_name=one.archive.json HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n")
    answer = send_raw(nomad_server, head, chunked)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    upload_id = requests.get(f"{nomad_server.url}/uploads", headers=auth(token),
                             timeout=10).json()["data"][0]["upload_id"]
    assert raw_file(nomad_server, token, upload_id, "one.archive.json") == content


def test_malformed_chunked_body_is_refused(nomad_server):
    token = nomad_server.token()
    host = urlsplit(nomad_server.url).netloc
    head = (f"POST /api/v1/uploads?file_name=x.json HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n")
    answer = send_raw(nomad_server, head, b"zz\r\nhello\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert uploads_of(nomad_server, token) == 0


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
    assert len(raw_file(nomad_server, token, upload_id, "blob.bin")) == 3 * 1024 * 1024


def test_empty_upload_has_no_entries(nomad_server):
    token = nomad_server.token()
    data = create_upload(nomad_server, token, b"")["data"]
    assert data["process_running"] is False and data["entries"] == 0


def test_file_name_with_a_path_is_refused(nomad_server):
    token = nomad_server.token()
    response = requests.post(f"{nomad_server.url}/uploads", headers={**JSON, **auth(token)},
                             files={"file": ("../evil.zip", b"abc")}, timeout=10)
    assert response.status_code == 400
    assert uploads_of(nomad_server, token) == 0
