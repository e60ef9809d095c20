"""What every API handler shares: the context, authentication, access checks, pagination."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from werkzeug.formparser import FormDataParser

from .judge import Judge
from .model import Upload, User
from .processing import Processor
from .routing import FORM_LIMIT, ApiError, Request, validation_error
from .state import State

CHUNK = 64 * 1024

BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass
class Context:
    state: State
    processor: Processor
    judge: Judge | None
    judge_problem: str | None = None  # why the validator could not be loaded


def authenticate(ctx: Context, req: Request, required: bool = True) -> User | None:
    """The user behind ``Authorization: Bearer <token>``; 401 when missing or invalid."""
    header = (req.headers.get("Authorization") or "").strip()
    if not header:
        if required:
            raise ApiError(401, "Authorization required.", BEARER)
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "Authorization header must be 'Bearer <token>'.", BEARER)
    username, reason = ctx.state.tokens.check(value.strip())
    user = ctx.state.user(username)
    if user is None:
        raise ApiError(401, reason or "You are logged in with an unknown user", BEARER)
    req.user = user.username
    return user


def upload_for_read(ctx: Context, upload_id: str, user: User | None) -> Upload:
    """The upload if this user may see it (404 unknown, 401 no access, as NOMAD)."""
    upload = ctx.state.uploads.get(upload_id)
    if upload is None:
        raise ApiError(404, "The specified upload_id was not found.")
    if not upload.can_read(user.user_id if user else None):
        if upload.published:
            raise ApiError(401, "You do not have access to the specified upload - published "
                                "with embargo.")
        if user is None:
            raise ApiError(401, "You need to log in to access the specified upload.")
        raise ApiError(401, "You do not have access to the specified upload.")
    return upload


def upload_for_write(ctx: Context, upload_id: str, user: User,
                     include_published: bool = False) -> Upload:
    """The upload if this user may change it (NOMAD answers 401 for missing rights)."""
    upload = ctx.state.uploads.get(upload_id)
    if upload is None:
        raise ApiError(404, "The specified upload_id was not found.")
    if not upload.can_write(user.user_id):
        raise ApiError(401, "You do not have write access to the specified upload.")
    if upload.published and not include_published:
        raise ApiError(401, "Upload is already published, operation not possible.")
    return upload


def check_not_processing(upload: Upload) -> None:
    """400 while a process (processing, publishing) runs on the upload."""
    if upload.process_running:
        raise ApiError(400, "The upload is currently being processed, operation not allowed.")


def received_files(req: Request, incoming: Path,
                   file_name: str | None) -> list[tuple[Path, str | None]]:
    """Stream the request's file(s) to disk: multipart ``file`` fields or the raw body."""
    if req.mimetype == "multipart/form-data":
        return _multipart_files(req, incoming)
    path = incoming / "body"
    with open(path, "wb") as out:
        try:
            shutil.copyfileobj(req.stream, out, CHUNK)
        except OSError as exc:  # Werkzeug's reader of chunked bodies: a bad chunk header
            raise ApiError(400, f"The request body could not be read: {exc}") from None
        size = out.tell()
    return [(path, file_name)] if size else []


def _multipart_files(req: Request, incoming: Path) -> list[tuple[Path, str | None]]:
    """The ``file`` parts of a multipart body, each written straight to a file."""
    numbers = itertools.count()

    def to_disk(**_: Any) -> IO[bytes]:
        return open(incoming / f"part{next(numbers)}", "w+b")

    parser = FormDataParser(to_disk, max_form_memory_size=FORM_LIMIT, silent=False)
    try:
        _, _, files = parser.parse(req.stream, req.mimetype, req.content_length,
                                   req.mimetype_params)
    except ValueError as exc:
        raise ApiError(400, f"Malformed multipart/form-data body: {exc}") from None
    found = []
    for field, storage in files.items(multi=True):
        storage.close()
        if field == "file":
            found.append((Path(storage.stream.name), storage.filename))
    for _, name in found:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ApiError(400, "Bad file name provided.")
    return found


def paginate(req: Request, items: list[dict[str, Any]], default_order_by: str,
             allowed: tuple[str, ...]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Order and cut a list the way NOMAD's simple pagination does."""
    page_size = req.int_arg("page_size", 10)
    order_by = req.arg("order_by") or default_order_by
    order = req.arg("order") or "asc"
    if page_size is None or page_size < 0:
        raise validation_error(["query", "page_size"], "page_size must be >= 0")
    if order not in ("asc", "desc"):
        raise validation_error(["query", "order"], "Input should be 'asc' or 'desc'", "enum")
    if order_by not in allowed:
        raise ApiError(400, f"Invalid order_by {order_by!r}; use one of {', '.join(allowed)}.")
    page = req.int_arg("page")
    offset = req.int_arg("page_offset")
    after = req.arg("page_after_value")
    if sum(x is not None for x in (page, offset, after)) > 1:
        raise ApiError(400, "Invalid pagination arguments supplied: use only one of "
                            "page, page_offset and page_after_value.")
    if page is not None and page < 1:
        raise ApiError(400, "Invalid pagination arguments supplied: page must be >= 1.")
    start = 0
    if page is not None:
        start = (page - 1) * page_size
    elif offset is not None:
        start = max(0, offset)
    elif after:
        try:
            start = int(after) + 1
        except ValueError:
            raise ApiError(400, "Invalid pagination arguments supplied: "
                                "page_after_value must come from next_page_after_value.") from None
    ordered = sorted(items, key=lambda d: (str(d.get(order_by) or ""), str(d)),
                     reverse=order == "desc")
    chunk = ordered[start:start + page_size]
    end = start + len(chunk)
    info = {
        "page_size": page_size, "order_by": order_by, "order": order,
        "page": page if page is not None else (start // page_size + 1 if page_size else 1),
        "page_offset": offset, "page_after_value": after, "total": len(items),
        "next_page_after_value": str(end - 1) if end < len(items) and chunk else None,
    }
    return chunk, info
