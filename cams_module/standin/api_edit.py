"""``POST /uploads/{id}/edit``: upload-level metadata (name, comment, references, people,
datasets, embargo)."""

from __future__ import annotations

from typing import Any

from .api_common import Context, authenticate, upload_for_write
from .api_uploads import upload_response
from .model import Upload
from .routing import ApiError, Handlers, Request, Response, handlers

TEXT_FIELDS = ("upload_name", "comment", "external_id", "external_db", "description")
LIST_FIELDS = ("references", "coauthors", "reviewers", "datasets")
ADMIN_FIELDS = ("main_author", "entry_create_time", "publish_time", "license",
                "upload_create_time", "coauthor_groups", "reviewer_groups")
PUBLISHED_OK = ("embargo_length", "datasets")


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: list[str], msg: str) -> None:
        self.items.append({"loc": loc, "msg": msg, "type": "value_error"})


def register(ctx: Context) -> Handlers:
    """Add the edit endpoint."""
    state = ctx.state

    def edit(req: Request) -> Response:
        user = authenticate(ctx, req)
        body = req.json_body()
        if not isinstance(body, dict):
            raise ApiError(422, [{"loc": ["body"], "msg": "Input should be a valid dictionary",
                                  "type": "dict_type"}])
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user,
                                      include_published=True)
            if upload.process_running:
                raise ApiError(400, "The upload is currently being processed, operation not "
                                    "allowed.")
            if body.get("query") or body.get("entries"):
                raise ApiError(422, [{"loc": ["query"], "type": "value_error",
                                      "msg": "The local stand-in edits upload-level metadata "
                                             "only: leave out `query` and `entries`."}])
            metadata = body.get("metadata")
            if not metadata or not isinstance(metadata, dict):
                raise ApiError(422, [{"loc": ["metadata"], "type": "value_error",
                                      "msg": "No fields to update specified"}])
            errors = _Errors()
            changes = {key: _convert(ctx, upload, user.user_id, key, value, errors)
                       for key, value in metadata.items()}
            if errors.items:
                raise ApiError(422, errors.items)
            if not body.get("verify_only"):
                _apply(upload, changes)
            return Response.json(upload_response(upload))

    return handlers(edit)


def _convert(ctx: Context, upload: Upload, user_id: str, key: str, value: Any,
             errors: _Errors) -> Any:
    loc = ["metadata", key]
    if key in ADMIN_FIELDS:
        errors.add(loc, "Admin rights required")
        return None
    if key not in TEXT_FIELDS + LIST_FIELDS + ("embargo_length",):
        errors.add(loc, "Unknown quantity")
        return None
    if upload.published and key not in PUBLISHED_OK:
        errors.add(loc, f"Upload {upload.upload_id} is published, embargo can only be lifted")
        return None
    if key == "embargo_length":
        try:
            months = int(value)
        except (TypeError, ValueError):
            errors.add(loc, f"embargo_length must be a whole number of months, got {value!r}")
            return None
        if not 0 <= months <= 36:
            errors.add(loc, "embargo_length must be between 0 and 36 months")
        elif upload.published and months != 0:
            errors.add(loc, f"Upload {upload.upload_id} is published, embargo can only be lifted")
        return months
    if key in TEXT_FIELDS:
        if value is not None and not isinstance(value, str):
            errors.add(loc, f"{key} must be text, got {value!r}")
        return value
    current = _current_list(upload, key)
    wanted = _list_action(current, value, loc, errors)
    if key in ("coauthors", "reviewers"):
        resolved = []
        for ref in wanted:
            person = ctx.state.user_by_ref(ref)
            if person is None:
                errors.add(loc, f"Could not find a user {ref!r}: give a user id, username "
                                "or e-mail address of a NOMAD account")
            else:
                resolved.append(person.user_id)
        return resolved
    if key == "datasets":
        resolved = []
        for ref in wanted:
            dataset = ctx.state.datasets.get(ref) or next(
                (d for d in ctx.state.datasets.values()
                 if d.dataset_name == ref and d.user_id == user_id), None)
            if dataset is None:
                errors.add(loc, f"Dataset {ref!r} does not exist: create it with POST "
                                "/datasets and use its dataset_id")
            elif dataset.user_id != user_id:
                errors.add(loc, f"Dataset {ref!r} belongs to another user")
            else:
                resolved.append(dataset.dataset_id)
        return resolved
    return wanted


def _current_list(upload: Upload, key: str) -> list[str]:
    if key == "coauthors":
        return list(upload.coauthors)
    if key == "reviewers":
        return list(upload.reviewers)
    return list(upload.metadata.get(key) or [])


def _list_action(current: list[str], value: Any, loc: list[str], errors: _Errors) -> list[str]:
    """Apply a NOMAD list edit: a value, a list, or ``{"set"|"add"|"remove": …}``."""
    def as_list(v: Any) -> list[str]:
        items = [v] if isinstance(v, str) else v
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            errors.add(loc, f"expected text or a list of text, got {v!r}")
            return []
        return items

    if isinstance(value, dict):
        unknown = set(value) - {"set", "add", "remove"}
        if unknown:
            errors.add(loc, f"unknown list operations {sorted(unknown)}: use set, add, remove")
        if "set" in value and ("add" in value or "remove" in value):
            errors.add(loc, "Cannot specify both `set` and `add`/`remove` operations")
        if "set" in value:
            return _unique(as_list(value["set"]))
        result = list(current)
        result += [v for v in as_list(value.get("add", [])) if v not in result]
        removed = set(as_list(value.get("remove", [])))
        return [v for v in result if v not in removed]
    if value is None:
        return []
    return _unique(as_list(value))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _apply(upload: Upload, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key == "upload_name":
            upload.upload_name = value
        elif key == "coauthors":
            upload.coauthors = value
        elif key == "reviewers":
            upload.reviewers = value
        elif key == "embargo_length":
            upload.embargo_length = value
        else:
            upload.metadata[key] = value
