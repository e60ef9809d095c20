"""``/uploads`` endpoints: create, list, get, delete, entries, process, publish."""

from __future__ import annotations

import json
import shutil
from typing import Any

from .api_common import (
    Context,
    authenticate,
    check_not_processing,
    paginate,
    received_files,
    upload_for_read,
    upload_for_write,
)
from .model import Upload, new_id
from .rawfiles import add_file
from .routing import ApiError, Handlers, Request, Response, handlers

PROCESSING = ("PENDING", "RUNNING", "WAITING_FOR_RESULT")
UPLOAD_ORDER = ("upload_create_time", "upload_name", "upload_id", "publish_time",
                "process_status", "complete_time")
ENTRY_ORDER = ("mainfile", "entry_id", "entry_create_time", "process_status",
               "complete_time", "parser_name")


def thank_you(gui: str) -> str:
    """The plain-text answer NOMAD gives when the client did not ask for JSON."""
    return (
        "\nThanks for uploading your data to nomad.\n"
        f"This is the local NOMAD stand-in: open {gui}/user/uploads to follow\n"
        "the processing of your upload and to publish it.\n"
        "Send 'Accept: application/json' to receive the upload data as JSON instead.\n"
    )


def upload_response(upload: Upload) -> dict[str, Any]:
    """The ``UploadProcDataResponse`` shape."""
    return {"upload_id": upload.upload_id, "data": upload.to_json()}


def embargo_arg(req: Request, default: int | None) -> int | None:
    """``embargo_length`` (months, 0-36); 400 outside that range as NOMAD does."""
    value = req.int_arg("embargo_length", default)
    if value is not None and not 0 <= value <= 36:
        raise ApiError(400, "`embargo_length` must be between 0 and 36 months.")
    return value


def gui_base(req: Request) -> str:
    host = req.headers.get("Host") or "127.0.0.1"
    return f"http://{host}/gui"


def upload_answer(req: Request, upload: Upload) -> Response:
    """The answer to a request that sent files: the upload as JSON when the client asked
    for JSON (``Accept: application/json``), else NOMAD's plain-text thank-you."""
    if req.wants_json():
        return Response.json(upload_response(upload))
    return Response.text(thank_you(gui_base(req)))


def register(ctx: Context) -> Handlers:
    """Add the upload endpoints."""
    state = ctx.state

    def post_upload(req: Request) -> Response:
        user = authenticate(ctx, req)
        limit = state.settings.upload_limit
        if state.unpublished_count(user.user_id) >= limit:
            raise ApiError(400, "Limit of unpublished uploads exceeded for user.")
        embargo = embargo_arg(req, 0)
        publish_directly = bool(req.bool_arg("publish_directly", False))
        upload_name = req.arg("upload_name") or None
        file_name = req.arg("file_name") or None
        incoming = state.incoming_dir()
        upload_id = new_id()
        directory = state.upload_dir(upload_id)
        try:
            files = received_files(req, incoming, file_name)
            (directory / "raw").mkdir(parents=True)
            decompress = bool(req.bool_arg("auto_decompress", True))
            for path, name in files:
                add_file(directory / "raw", "", path, name, decompress=decompress)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        if not upload_name and len(files) == 1:
            upload_name = files[0][1] or None
        upload = Upload(
            upload_id=upload_id, main_author=user.username, main_author_id=user.user_id,
            directory=directory, upload_name=upload_name, embargo_length=embargo or 0,
            publish_directly=publish_directly,
        )
        with state.lock:
            if state.unpublished_count(user.user_id) >= limit:
                shutil.rmtree(directory, ignore_errors=True)
                raise ApiError(400, "Limit of unpublished uploads exceeded for user.")
            state.uploads[upload_id] = upload
        if files:
            ctx.processor.start(upload)
        return upload_answer(req, upload)

    def list_uploads(req: Request) -> Response:
        user = authenticate(ctx, req)
        uid = user.user_id
        roles = set(req.arg_list("roles")) or {"main_author", "coauthor", "reviewer"}
        ids = set(req.arg_list("upload_id"))
        names = _name_filters(req.arg_list("upload_name"))
        is_processing = req.bool_arg("is_processing")
        is_published = req.bool_arg("is_published")
        is_owned = req.bool_arg("is_owned")
        status = req.arg("process_status")
        with state.lock:
            uploads = list(state.uploads.values())
            selected = []
            for u in uploads:
                role_ok = (
                    ("main_author" in roles and u.main_author_id == uid)
                    or ("coauthor" in roles and uid in u.coauthors)
                    or ("reviewer" in roles and uid in u.reviewers)
                )
                if not role_ok or (ids and u.upload_id not in ids):
                    continue
                if names and not any(match(u.upload_name or "") for match in names):
                    continue
                if is_processing is not None and (u.process_status in PROCESSING) != is_processing:
                    continue
                if is_published is not None and u.published != is_published:
                    continue
                if is_owned is not None and (u.main_author_id == uid) != is_owned:
                    continue
                if status and u.process_status != status:
                    continue
                selected.append(u.to_json())
        page, pagination = paginate(req, selected, "upload_create_time", UPLOAD_ORDER)
        query = {
            "upload_id": sorted(ids) or None, "upload_name": req.arg_list("upload_name") or None,
            "is_processing": is_processing, "is_published": is_published,
            "process_status": status, "is_owned": is_owned,
        }
        return Response.json({"query": query, "pagination": pagination, "data": page})

    def get_upload(req: Request) -> Response:
        user = authenticate(ctx, req, required=False)
        with state.lock:
            upload = upload_for_read(ctx, req.params["upload_id"], user)
            return Response.json(upload_response(upload))

    def delete_upload(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user, include_published=True)
            if upload.published:
                raise ApiError(
                    403, "Upload is already published, only admins can perform this operation."
                )
            if upload.main_author_id != user.user_id:
                raise ApiError(401, "Only main author has permissions for this operation.")
            if upload.process_running:
                raise ApiError(400, "The upload is still being processed.")
            body = upload_response(upload)
            body["data"].update(process_running=True, current_process="delete_upload",
                                process_status="PENDING",
                                last_status_message="Waiting for available worker")
            state.remove_upload(upload)
        return Response.json(body)

    def get_entries(req: Request) -> Response:
        user = authenticate(ctx, req, required=False)
        with state.lock:
            upload = upload_for_read(ctx, req.params["upload_id"], user)
            entries = [e.to_json(upload) for e in upload.entries.values()]
            done = [e for e in upload.entries.values() if e.process_status in ("SUCCESS",
                                                                                "FAILURE")]
            failed = len(upload.failed_entries())
            upload_json = upload.to_json()
        page, pagination = paginate(req, entries, "mainfile", ENTRY_ORDER)
        return Response.json({
            "pagination": pagination,
            "processing_successful": len(done) - failed,
            "processing_failed": failed,
            "upload": upload_json,
            "data": page,
        })

    def get_entry(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            upload = upload_for_read(ctx, req.params["upload_id"], user)
            entry = upload.entries.get(req.params["entry_id"])
            if entry is None:
                raise ApiError(404, "An entry by that id could not be found in the specified "
                                    "upload.")
            return Response.json({"entry_id": entry.entry_id, "data": entry.to_json(upload)})

    def publish(req: Request) -> Response:
        user = authenticate(ctx, req)
        embargo = embargo_arg(req, None)
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user, include_published=True)
            if upload.published:
                raise ApiError(400, "Upload already published.")
            check_not_processing(upload)
            if upload.process_status == "FAILURE":
                raise ApiError(400, "Cannot publish an upload that failed processing.")
            if not upload.entries:
                raise ApiError(400, "Cannot publish an upload without any resulting entries.")
            failed = upload.failed_entries()
            if failed:
                names = ", ".join(sorted(e.mainfile for e in failed))
                raise ApiError(
                    400, f"Cannot publish an upload with {len(failed)} entries that failed "
                         f"processing ({names}); fix them or delete the upload. (The local "
                         "stand-in refuses this; NOMAD itself would publish the good entries.)"
                )
            ctx.processor.publish(upload, embargo)
            return Response.json(upload_response(upload))

    def process(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user)
            check_not_processing(upload)
        ctx.processor.start(upload)
        return Response.json(upload_response(upload))

    return handlers(post_upload, list_uploads, get_upload, delete_upload, get_entries,
                    get_entry, publish, process)


def _name_filters(values: list[str]) -> list[_NameFilter]:
    """``upload_name`` filters: exact by default, or ``{"value":…, "type":"fuzzy"}``."""
    filters = []
    for raw in values:
        kind, value = "exact", raw
        if raw.startswith("{"):
            try:
                spec = json.loads(raw)
                kind, value = spec.get("type", "exact"), str(spec["value"])
            except (ValueError, KeyError, AttributeError):
                raise ApiError(400, f"Invalid upload_name filter {raw!r}.") from None
        filters.append(_NameFilter(value, kind == "fuzzy"))
    return filters


class _NameFilter:
    def __init__(self, value: str, fuzzy: bool) -> None:
        self.value, self.fuzzy = (value.lower() if fuzzy else value), fuzzy

    def __call__(self, name: str) -> bool:
        return self.value in name.lower() if self.fuzzy else name == self.value
