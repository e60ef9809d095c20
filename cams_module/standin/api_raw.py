"""Raw file endpoints of an upload: ``PUT``/``GET``/``DELETE /uploads/{id}/raw/{path}``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .api_common import (
    Context,
    authenticate,
    received_files,
    upload_for_read,
    upload_for_write,
)
from .api_uploads import upload_answer, upload_response
from .rawfiles import add_file, delete_path, safe_relpath, target, zip_directory
from .routing import ApiError, Handlers, Request, Response, handlers

BLOCKED = "The upload is currently blocked by another process."


def register(ctx: Context) -> Handlers:
    """Add the raw file and archive endpoints."""
    state = ctx.state

    def put_raw(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user)
            if upload.process_running:
                raise ApiError(400, BLOCKED)
        directory = safe_relpath(req.params.get("path") or "")
        overwrite = req.bool_arg("overwrite_if_exists", True)
        trigger = req.bool_arg("trigger_processing", True)
        decompress = req.bool_arg("auto_decompress", True)
        incoming = state.incoming_dir()
        try:
            files = received_files(req, incoming, req.arg("file_name") or None)
            if not files:
                raise ApiError(400, "Either an upload file or the query parameters for "
                                    "moving/copying a file should be provided.")
            with state.lock:
                if upload.process_running:
                    raise ApiError(400, BLOCKED)
                for path, name in files:
                    add_file(upload.raw_dir, directory, path, name, overwrite=bool(overwrite),
                             decompress=bool(decompress))
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        if trigger:
            ctx.processor.start(upload)
        return upload_answer(req, upload)

    def delete_raw(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            upload = upload_for_write(ctx, req.params["upload_id"], user)
            if upload.process_running:
                raise ApiError(400, BLOCKED)
            delete_path(upload.raw_dir, req.params.get("path") or "")
        if req.bool_arg("trigger_processing", True):
            ctx.processor.start(upload)
        return Response.json(upload_response(upload))

    def get_raw(req: Request) -> Response:
        user = authenticate(ctx, req, required=False)
        with state.lock:
            upload = upload_for_read(ctx, req.params["upload_id"], user)
        rel = safe_relpath(req.params.get("path") or "")
        path = target(upload.raw_dir, rel)
        if not path.exists():
            raise ApiError(404, "The requested file does not exist.")
        if path.is_file():
            return Response.file(path, "application/octet-stream")
        handle, name = tempfile.mkstemp(suffix=".zip", dir=state.data_dir / "incoming")
        os.close(handle)
        out = Path(name)
        zip_directory(path, out)
        return Response.file(out, "application/zip", delete=True)

    def get_archive(req: Request) -> Response:
        user = authenticate(ctx, req, required=False)
        with state.lock:
            upload = upload_for_read(ctx, req.params["upload_id"], user)
            if "mainfile" in req.params:
                entry = next((e for e in upload.entries.values()
                              if e.mainfile == req.params["mainfile"]), None)
            else:
                entry = upload.entries.get(req.params["entry_id"])
            if entry is None:
                raise ApiError(404, "The specified upload, or a resource with the specified "
                                    "path within the upload, could not be found.")
            if entry.process_status != "SUCCESS":
                raise ApiError(404, "The entry has no archive: it did not process successfully.")
        try:
            archive = json.loads((upload.raw_dir / entry.mainfile).read_bytes())
        except (OSError, ValueError):
            raise ApiError(404, "The archive of this entry is no longer available.") from None
        archive.setdefault("metadata", {}).update(
            {"entry_id": entry.entry_id, "upload_id": upload.upload_id,
             "mainfile": entry.mainfile, "published": upload.published}
        )
        return Response.json({"entry_id": entry.entry_id, "data": {
            "entry_id": entry.entry_id, "upload_id": upload.upload_id,
            "parser_name": "parsers/archive", "archive": archive}}, exclude_none=False)

    return handlers(put_raw, delete_raw, get_raw, get_archive)
