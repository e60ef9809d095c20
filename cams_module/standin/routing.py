"""Requests, responses, errors and the path router of the stand-in server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from .bodies import BodyReader

API_PREFIX = "/api/v1"


class ApiError(Exception):
    """An HTTP error answered as NOMAD does: JSON ``{"detail": ...}``."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def validation_error(loc: list[str | int], msg: str, kind: str = "value_error") -> ApiError:
    """A 422 shaped like FastAPI's ``HTTPValidationError``."""
    return ApiError(422, [{"loc": loc, "msg": msg, "type": kind}])


@dataclass
class Response:
    """What a handler answers: a JSON value, text, bytes, or a file to stream."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    delete_file: bool = False  # remove ``file`` once sent (temporary zips)

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None,
             exclude_none: bool = True):
        """A JSON answer; ``None`` values inside dicts are dropped like NOMAD does."""
        data = json.dumps(drop_none(value) if exclude_none else value).encode()
        return cls(status=status, body=data, headers=dict(headers or {}))

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain"):
        """A plain text (or HTML) answer."""
        return cls(status=status, body=text.encode(), content_type=f"{content_type}; charset=utf-8")


def drop_none(value: Any) -> Any:
    """Remove ``None`` values from dicts, recursively (FastAPI ``exclude_none``)."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: BodyReader
    params: dict[str, str] = field(default_factory=dict)
    user: str | None = None

    @classmethod
    def parse(cls, method: str, raw_path: str, headers: Any, body: BodyReader) -> Request:
        """Split the request target into a decoded path and query parameters."""
        path, _, qs = raw_path.partition("?")
        return cls(method, unquote(path), parse_qs(qs, keep_blank_values=True), headers, body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a (repeatable) query parameter."""
        return list(self.query.get(name, []))

    def bool_arg(self, name: str, default: bool | None = None) -> bool | None:
        """A boolean query parameter; 422 when it is not a boolean."""
        value = self.arg(name)
        if value is None:
            return default
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise validation_error(["query", name], "Input should be a valid boolean", "bool_parsing")

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        """An integer query parameter; 422 when it is not an integer."""
        value = self.arg(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise validation_error(
                ["query", name], "Input should be a valid integer", "int_parsing"
            ) from None

    def wants_json(self) -> bool:
        """NOMAD answers some calls in JSON only for ``Accept: application/json``."""
        return (self.headers.get("Accept") or "").strip() == "application/json"

    def json_body(self) -> Any:
        """The request body parsed as JSON; 422 when it is not JSON."""
        raw = self.body.read_all(limit=10 * 1024 * 1024)
        try:
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise validation_error(["body"], f"JSON decode error: {exc}", "json_invalid") from None


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Handler


class Router:
    """Maps ``METHOD /path/{param}`` templates to handlers."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register a handler; ``{name}`` matches one segment, ``{name:path}`` the rest."""
        regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.*)", template)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        self.routes.append(Route(method, re.compile(f"^{regex}$"), template, handler))

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The matching route, its path parameters, and whether the path exists at all."""
        path_known = False
        for route in self.routes:
            match = route.pattern.match(path)
            if not match:
                continue
            path_known = True
            if route.method == method:
                return route, match.groupdict(), True
        return None, {}, path_known

    def allowed(self, path: str) -> list[str]:
        """The methods some route accepts for this path (for 405 answers)."""
        return sorted({r.method for r in self.routes if r.pattern.match(path)})

    def templates(self) -> Iterable[str]:
        """Every registered ``METHOD template``."""
        return (f"{r.method} {r.template}" for r in self.routes)
