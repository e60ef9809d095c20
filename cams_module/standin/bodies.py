"""Request bodies read in chunks: raw streams, chunked encoding, forms and multipart."""

from __future__ import annotations

import email.parser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs

CHUNK = 64 * 1024


class BodyError(Exception):
    """The request body is malformed (answered as 400)."""


class BodyReader:
    """Reads a request body from the socket once, in chunks, never all in memory."""

    def __init__(self, rfile: BinaryIO, headers) -> None:
        self.rfile = rfile
        self.chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        try:
            self.remaining = int(headers.get("Content-Length") or 0)
        except ValueError:
            raise BodyError("Content-Length is not a number") from None
        self.content_type = headers.get("Content-Type") or ""
        self._chunked_done = False

    @property
    def present(self) -> bool:
        """Whether the request still has body bytes to read."""
        return self.remaining > 0 or (self.chunked and not self._chunked_done)

    def chunks(self) -> Iterator[bytes]:
        """Yield the body in chunks of at most 64 KiB."""
        if self.chunked:
            yield from self._chunked()
            return
        while self.remaining > 0:
            data = self.rfile.read(min(CHUNK, self.remaining))
            if not data:
                raise BodyError("the connection closed before the whole body arrived")
            self.remaining -= len(data)
            yield data

    def _chunked(self) -> Iterator[bytes]:
        while not self._chunked_done:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyError("malformed chunked transfer encoding") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                self._chunked_done = True
                return
            left = size
            while left:
                data = self.rfile.read(min(CHUNK, left))
                if not data:
                    raise BodyError("the connection closed before the whole body arrived")
                left -= len(data)
                yield data
            self.rfile.readline(16)

    def drain(self) -> None:
        """Read and discard whatever is left, so the connection can be reused."""
        for _ in self.chunks():
            pass

    def read_all(self, limit: int) -> bytes:
        """The whole (small) body; BodyError when it exceeds ``limit`` bytes."""
        parts: list[bytes] = []
        size = 0
        for data in self.chunks():
            size += len(data)
            if size > limit:
                raise BodyError(f"the request body is larger than {limit} bytes")
            parts.append(data)
        return b"".join(parts)

    def save_to(self, path: Path) -> int:
        """Stream the body into ``path``; the number of bytes written."""
        size = 0
        with open(path, "wb") as out:
            for data in self.chunks():
                out.write(data)
                size += len(data)
        return size

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body as a dict (last value wins)."""
        raw = self.read_all(limit=1024 * 1024).decode("utf-8", "replace")
        return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def is_multipart(self) -> bool:
        """Whether the body is ``multipart/form-data``."""
        return self.content_type.lower().startswith("multipart/form-data")

    def save_multipart(self, dest: Path) -> list[FormPart]:
        """Stream a multipart body: file parts go to files under ``dest``."""
        boundary = _boundary(self.content_type)
        return _MultipartParser(self.chunks(), boundary, dest).parse()


@dataclass
class FormPart:
    """One multipart field: a file saved on disk, or a short text value."""

    name: str
    filename: str | None
    path: Path | None = None
    value: str | None = None


def _boundary(content_type: str) -> bytes:
    msg = email.parser.HeaderParser().parsestr(f"Content-Type: {content_type}\r\n\r\n")
    boundary = msg.get_param("boundary", header="content-type")
    if not boundary or not isinstance(boundary, str):
        raise BodyError("multipart/form-data without a boundary")
    return boundary.encode("latin-1")


class _MultipartParser:
    def __init__(self, chunks: Iterator[bytes], boundary: bytes, dest: Path) -> None:
        self.chunks = chunks
        self.buf = b""
        self.delimiter = b"--" + boundary
        self.dest = dest

    def _fill(self) -> None:
        try:
            self.buf += next(self.chunks)
        except StopIteration:
            raise BodyError("the multipart body ends before its closing boundary") from None

    def _need(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        head, self.buf = self.buf[:n], self.buf[n:]
        return head

    def _until(self, sep: bytes, out: BinaryIO | None = None, limit: int = 64 * 1024) -> bytes:
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                data, self.buf = self.buf[:i], self.buf[i + len(sep) :]
                if out is None:
                    return data
                out.write(data)
                return b""
            keep = len(sep) - 1
            if out is not None and len(self.buf) > keep:
                out.write(self.buf[: len(self.buf) - keep])
                self.buf = self.buf[len(self.buf) - keep :]
            elif out is None and len(self.buf) > limit:
                raise BodyError("a multipart header block is too large")
            self._fill()

    def parse(self) -> list[FormPart]:
        parts: list[FormPart] = []
        self._until(self.delimiter, limit=1024 * 1024)
        while True:
            if self._need(2) == b"--":
                for _ in self.chunks:  # epilogue
                    pass
                return parts
            raw_headers = self._until(b"\r\n\r\n").decode("utf-8", "replace")
            msg = email.parser.HeaderParser().parsestr(raw_headers + "\r\n\r\n")
            name = str(msg.get_param("name", header="content-disposition") or "")
            filename = msg.get_param("filename", header="content-disposition")
            end = b"\r\n" + self.delimiter
            if isinstance(filename, str):
                path = self.dest / f"part{len(parts)}"
                with open(path, "wb") as out:
                    self._until(end, out=out)
                parts.append(FormPart(name, filename, path=path))
            else:
                value = self._until(end, limit=1024 * 1024).decode("utf-8", "replace")
                parts.append(FormPart(name, None, value=value))
