"""Requests, responses, errors and the API's URL map, on Werkzeug.

`Request` and `Response` are Werkzeug's with the few helpers the handlers share (query
parameters with FastAPI-like 422 answers, JSON bodies, NOMAD's JSON answers). `API` is the
`werkzeug.routing.Map` of every route; a matched rule also gives the label, such as
``GET /uploads/{upload_id}``, that the request counts of ``/_standin/stats`` use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse
from werkzeug.wsgi import FileWrapper

API_PREFIX = "/api/v1"
JSON_LIMIT = 10 * 1024 * 1024  # bytes of a JSON request body
FORM_LIMIT = 1024 * 1024       # bytes of form fields (the login, multipart text fields)
FILE_BLOCK = 64 * 1024
PARAMETER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


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


def drop_none(value: Any) -> Any:
    """Remove ``None`` values from dicts, recursively (FastAPI ``exclude_none``)."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


class Response(WerkzeugResponse):
    """What a handler answers: JSON, text or HTML, or a file streamed from disk."""

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None,
             exclude_none: bool = True) -> Response:
        """A JSON answer; ``None`` values inside dicts are dropped like NOMAD does."""
        data = json.dumps(drop_none(value) if exclude_none else value).encode()
        return cls(data, status=status, headers=headers, content_type="application/json")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        """A plain text (or HTML) answer."""
        return cls(text.encode(), status=status, content_type=f"{content_type}; charset=utf-8")

    @classmethod
    def file(cls, path: Path, content_type: str, delete: bool = False) -> Response:
        """A file sent in blocks; ``delete`` removes it once sent (temporary zips)."""
        blocks = FileWrapper(open(path, "rb"), FILE_BLOCK)
        response = cls(blocks, content_type=content_type, direct_passthrough=True)
        response.content_length = path.stat().st_size
        if delete:
            response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response


class Request(WerkzeugRequest):
    """One request, with the route's path parameters and the authenticated user."""

    max_form_memory_size = FORM_LIMIT
    params: dict[str, str]
    user: str | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        values = self.args.getlist(name)
        return values[-1] if values else default

    def arg_list(self, name: str) -> list[str]:
        """All values of a (repeatable) query parameter."""
        return self.args.getlist(name)

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

    def form_fields(self) -> dict[str, str]:
        """A form body as a dict (last value wins)."""
        return {key: values[-1] for key, values in self.form.lists()}

    def json_body(self) -> Any:
        """The request body parsed as JSON; 400 when too large, 422 when not JSON."""
        raw = self.stream.read(JSON_LIMIT + 1)
        if len(raw) > JSON_LIMIT:
            raise ApiError(400, f"the request body is larger than {JSON_LIMIT} bytes")
        try:
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise validation_error(["body"], f"JSON decode error: {exc}", "json_invalid") from None


Handler = Callable[[Request], Response]
Handlers = dict[str, Handler]

#: Every API route; the endpoint names the handler function (see `handlers`).
API = Map([
    Rule("/auth/token", methods=["POST"], endpoint="post_token"),
    Rule("/auth/app_token", methods=["GET"], endpoint="get_app_token"),
    Rule("/users/me", methods=["GET"], endpoint="users_me"),
    Rule("/info", methods=["GET"], endpoint="info"),
    Rule("/schemas/<schema_id>", methods=["GET"], endpoint="schema"),
    Rule("/uploads", methods=["POST"], endpoint="post_upload"),
    Rule("/uploads", methods=["GET"], endpoint="list_uploads"),
    Rule("/uploads/<upload_id>", methods=["GET"], endpoint="get_upload"),
    Rule("/uploads/<upload_id>", methods=["DELETE"], endpoint="delete_upload"),
    Rule("/uploads/<upload_id>/entries", methods=["GET"], endpoint="get_entries"),
    Rule("/uploads/<upload_id>/entries/<entry_id>", methods=["GET"], endpoint="get_entry"),
    Rule("/uploads/<upload_id>/action/publish", methods=["POST"], endpoint="publish"),
    Rule("/uploads/<upload_id>/action/process", methods=["POST"], endpoint="process"),
    Rule("/uploads/<upload_id>/edit", methods=["POST"], endpoint="edit"),
    # a rule ending in "/" also matches without it (strict_slashes=False)
    Rule("/uploads/<upload_id>/raw/", methods=["PUT"], endpoint="put_raw",
         strict_slashes=False),
    Rule("/uploads/<upload_id>/raw/<path:path>", methods=["PUT"], endpoint="put_raw"),
    Rule("/uploads/<upload_id>/raw/<path:path>", methods=["DELETE"], endpoint="delete_raw"),
    Rule("/uploads/<upload_id>/raw/", methods=["GET"], endpoint="get_raw",
         strict_slashes=False),
    Rule("/uploads/<upload_id>/raw/<path:path>", methods=["GET"], endpoint="get_raw"),
    Rule("/uploads/<upload_id>/archive/mainfile/<path:mainfile>", methods=["GET"],
         endpoint="get_archive"),
    Rule("/uploads/<upload_id>/archive/<entry_id>", methods=["GET"], endpoint="get_archive"),
    Rule("/datasets", methods=["POST"], endpoint="create_dataset"),
    Rule("/datasets", methods=["GET"], endpoint="list_datasets"),
    Rule("/datasets/<dataset_id>", methods=["GET"], endpoint="get_dataset"),
    Rule("/datasets/<dataset_id>", methods=["DELETE"], endpoint="delete_dataset"),
], merge_slashes=False)


def handlers(*functions: Handler) -> Handlers:
    """Handlers by the endpoint names of `API` (their function names)."""
    return {function.__name__: function for function in functions}


def match(method: str, path: str) -> tuple[str, str, dict[str, str]]:
    """The endpoint, the stats label (``GET /uploads/{upload_id}``) and the path parameters
    of an API path; raises Werkzeug's NotFound or MethodNotAllowed (with valid methods)."""
    rule, params = API.bind("standin").match(path, method=method, return_rule=True)
    template = PARAMETER.sub(r"{\1}", rule.rule.rstrip("/") or "/")
    return str(rule.endpoint), f"{method} {template}", params
