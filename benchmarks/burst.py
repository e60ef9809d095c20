"""A light burst client: many jam.py `/api` calls sent at the same moment from one thread.

The server runs on the same 2 cores as the benchmark, so a client of 50 Python threads
(each a `requests` session: thread start, barrier, building and parsing each request)
spends CPU the CAMS server then lacks — something a facility's browsers, on other
machines, never do. This client prepares every request as bytes beforehand and keeps one
keep-alive connection per caller (warmed by a status call, as a browser's would be); it
then writes all the requests one after the other and reads the replies as they arrive
(`selectors`, one thread). Each call's time runs from the moment its request is written
(connecting first, when the server closed the connection) until its whole reply has been
read: the same click-to-reply time as before, without the client's own thread overhead.
Replies are asked gzipped, as a browser asks them. The client's own garbage collection
is held off during the burst (a pause of the benchmark process would add to every call).
"""

from __future__ import annotations

import gc
import gzip
import json
import selectors
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Call:
    """One caller: its logged-in cookies, the request body, and what came back."""

    cookies: dict[str, str]
    body: bytes
    warm_body: bytes = b""
    seconds: float = float("nan")
    reply: Any = None
    error: str = ""
    sock: socket.socket | None = None
    _buffer: bytearray = field(default_factory=bytearray)


def api_body(task_id: int, item_id: int, func: str, *args: Any) -> bytes:
    """The body of jam.py's `/api` call of server function `func(*args)` of an item."""
    return json.dumps(["server", task_id, item_id, [func, list(args)], 0]).encode()


def _request(host: str, path: str, call: Call, body: bytes) -> bytes:
    cookie = "; ".join(f"{k}={v}" for k, v in call.cookies.items())
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nAccept-Encoding: gzip, deflate\r\n"
            f"Cookie: {cookie}\r\nConnection: keep-alive\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def _complete(data: bytearray) -> tuple[bytes, bool] | None:
    """(body, server closes) once `data` holds a whole HTTP reply, else None."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(data[:end]).decode("latin-1").lower()
    lines = head.split("\r\n")
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    closes = headers.get("connection") == "close" or lines[0].startswith("http/1.0")
    rest = bytes(data[end + 4:])
    if "content-length" in headers:
        size = int(headers["content-length"])
        if len(rest) < size:
            return None
        body = rest[:size]
    elif headers.get("transfer-encoding") == "chunked":
        body, at = b"", 0
        while True:
            line_end = rest.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(rest[at:line_end].split(b";")[0], 16)
            if len(rest) < line_end + 2 + size + 2:
                return None
            body += rest[line_end + 2:line_end + 2 + size]
            at = line_end + 2 + size + 2
            if size == 0:
                break
    else:
        return None  # read until the server closes
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body, closes


def _exchange(address: tuple[str, int], calls: list[Call], requests: list[bytes],
              timeout: float) -> None:
    """Write every request, then read every reply; each call's time runs from its own
    write (or connect) to the end of its reply."""
    selector = selectors.DefaultSelector()
    started = [0.0] * len(calls)
    for i, (call, request) in enumerate(zip(calls, requests, strict=True)):
        started[i] = time.perf_counter()
        if call.sock is None:
            call.sock = socket.create_connection(address, timeout=timeout)
            call.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        call.sock.sendall(request)
        call._buffer.clear()
        selector.register(call.sock, selectors.EVENT_READ, i)
    waiting = len(calls)
    end = time.monotonic() + timeout
    while waiting and time.monotonic() < end:
        for key, _ in selector.select(timeout=max(0.0, end - time.monotonic())):
            i = key.data
            call = calls[i]
            chunk = call.sock.recv(65536)
            call._buffer += chunk
            done = _complete(call._buffer)
            if done is None and chunk:
                continue
            call.seconds = time.perf_counter() - started[i]
            selector.unregister(call.sock)
            waiting -= 1
            if done is None:
                call.error = "the server closed the connection without a reply"
            else:
                try:
                    call.reply = json.loads(done[0])
                except ValueError as err:
                    call.error = f"not JSON: {err}"
            if done is None or done[1]:
                call.sock.close()
                call.sock = None
    for key in list(selector.get_map().values()):
        calls[key.data].error = "no reply in time"
    selector.close()


def fire(url: str, calls: list[Call], timeout: float = 120.0,
         meter: Any = None) -> list[Call]:
    """Warm every caller's connection with its `warm_body` call (all at once), then send
    every `body` at the same moment; fill in each call's seconds and reply. `meter`
    (`cpu_use.CpuMeter`): started right before the first body is written, stopped once
    the last reply is in."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    path = (parts.path.rstrip("/") or "") + "/api"
    host = parts.netloc
    warm = [c for c in calls if c.warm_body]
    if warm:
        _exchange(address, warm, [_request(host, path, c, c.warm_body) for c in warm],
                  timeout)
    requests = [_request(host, path, c, c.body) for c in calls]
    for c in calls:
        c.seconds, c.reply, c.error = float("nan"), None, ""
    gc.collect()  # the client's own garbage collection is no part of the server's time
    gc.disable()
    try:
        if meter is not None:
            meter.start()
        _exchange(address, calls, requests, timeout)
        if meter is not None:
            meter.stop()
    finally:
        gc.enable()
    return calls


def close(calls: list[Call]) -> None:
    """Close the callers' connections."""
    for c in calls:
        if c.sock is not None:
            c.sock.close()
            c.sock = None


def server_result(call: Call) -> tuple[Any, str]:
    """(result, error) of a server-function call's reply."""
    if call.error or not isinstance(call.reply, dict):
        return None, call.error or "no reply"
    if call.reply.get("error"):
        return None, str(call.reply["error"])
    data = (call.reply.get("result") or {}).get("data")
    if not isinstance(data, list) or len(data) != 2:
        return None, f"unexpected reply: {str(call.reply)[:200]}"
    return data[0], data[1] or ""
