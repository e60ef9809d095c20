"""Minimal HTML pages: the GUI links NOMAD clients print, and a token page.

The upload and entry pages sit behind the links clients print; the token page takes a
user's password and shows a personal access token (as NOMAD's GUI makes API tokens), for
linking an account in CAMS."""

from __future__ import annotations

import hmac
from html import escape

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from .api_common import Context
from .model import Entry, Upload
from .routing import Request, Response

PAGES = Map([
    Rule("/gui/user/uploads/", endpoint="uploads", strict_slashes=False),
    Rule("/gui/user/uploads/upload/id/<upload>/", endpoint="upload", strict_slashes=False),
    Rule("/gui/user/uploads/upload/id/<upload>/entry/id/<entry>/", endpoint="entry",
         strict_slashes=False),
    Rule("/gui/entry/id/<entry>/", endpoint="entry", strict_slashes=False),
    Rule("/gui/user/token/", endpoint="token", strict_slashes=False),
], merge_slashes=False)
BANNER = (
    "<p class='banner'><strong>Local NOMAD stand-in</strong> for trying cams-nomad offline. "
    "This is <em>not</em> NOMAD: nothing here is published anywhere.</p>"
)
STYLE = (
    "<style>body{font-family:sans-serif;margin:2em}.banner{background:#fff3cd;padding:.5em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"
    ".FAILURE{color:#b00}.SUCCESS{color:#070}</style>"
)


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)} - "
            f"NOMAD stand-in</title>{STYLE}</head><body>{BANNER}{body}</body></html>")
    return Response.text(html, status=status, content_type="text/html")


def _entry_row(upload: Upload, entry: Entry) -> str:
    link = f"/gui/user/uploads/upload/id/{upload.upload_id}/entry/id/{entry.entry_id}"
    problems = "<br>".join(escape(e) for e in entry.errors + entry.warnings)
    return (f"<tr><td><a href='{escape(link)}'>{escape(entry.mainfile)}</a></td>"
            f"<td class='{entry.process_status}'>{entry.process_status}</td>"
            f"<td>{problems}</td></tr>")


def handle(ctx: Context, req: Request) -> Response:
    """Render the list of uploads, an upload page or an entry page."""
    try:
        page, values = PAGES.bind("standin").match(req.path)
    except HTTPException:
        return _page("Not found", "<h1>Local NOMAD stand-in: no such page</h1>", 404)
    if page == "token":
        return _token_page(ctx, req)
    with ctx.state.lock:
        if page == "upload":
            return _upload_page(ctx, values["upload"])
        if page == "entry":
            return _entry_page(ctx, values["entry"], values.get("upload"))
        return _uploads_page(ctx)


def _upload_page(ctx: Context, upload_id: str) -> Response:
    upload = ctx.state.uploads.get(upload_id)
    if upload is None:
        return _page("Not found", "<h1>Upload not found</h1>", 404)
    rows = "".join(_entry_row(upload, e) for e in
                   sorted(upload.entries.values(), key=lambda e: e.mainfile))
    state = "published" if upload.published else "not published"
    body = (f"<h1>Upload {escape(upload.upload_name or upload.upload_id)}</h1>"
            f"<p>upload id <code>{escape(upload.upload_id)}</code> - status "
            f"<span class='{upload.process_status}' id='process-status'>"
            f"{upload.process_status}</span> - {state}</p>"
            f"<p id='people'>main author {escape(_person(ctx, upload.main_author_id))}"
            f" - coauthors {escape(', '.join(_person(ctx, c) for c in upload.coauthors))}"
            "</p>"
            f"<table><tr><th>mainfile</th><th>status</th><th>errors / warnings</th>"
            f"</tr>{rows}</table>")
    return _page(f"Upload {upload.upload_id}", body)


def _person(ctx: Context, user_id: str) -> str:
    user = ctx.state.user_by_ref(user_id)
    return (user.full_name or user.username) if user else user_id


def _entry_page(ctx: Context, entry_id: str, upload_id: str | None) -> Response:
    for upload in ctx.state.uploads.values():
        entry = upload.entries.get(entry_id)
        if entry is not None and upload_id in (None, upload.upload_id):
            items = "".join(f"<li>{escape(x)}</li>" for x in entry.errors)
            warns = "".join(f"<li>{escape(x)}</li>" for x in entry.warnings)
            link = f"/gui/user/uploads/upload/id/{upload.upload_id}"
            body = (f"<h1>Entry {escape(entry.mainfile)}</h1>"
                    f"<p>entry id <code>{escape(entry.entry_id)}</code> - status "
                    f"<span class='{entry.process_status}' id='process-status'>"
                    f"{entry.process_status}</span> - type "
                    f"{escape(entry.m_def or '?')}</p>"
                    f"<h2>Errors</h2><ul>{items}</ul><h2>Warnings</h2><ul>{warns}</ul>"
                    f"<p><a href='{escape(link)}'>back to the upload</a></p>")
            return _page(f"Entry {entry.entry_id}", body)
    return _page("Not found", "<h1>Entry not found</h1>", 404)


def _uploads_page(ctx: Context) -> Response:
    rows = "".join(
        f"<tr><td><a href='/gui/user/uploads/upload/id/{escape(u.upload_id)}'>"
        f"{escape(u.upload_name or u.upload_id)}</a></td>"
        f"<td class='{u.process_status}'>{u.process_status}</td>"
        f"<td>{'published' if u.published else 'not published'}</td></tr>"
        for u in sorted(ctx.state.uploads.values(), key=lambda u: u.upload_create_time)
    )
    return _page("Uploads", "<h1>Uploads</h1><table><tr><th>upload</th><th>status</th>"
                            f"<th>published</th></tr>{rows}</table>")


TOKEN_FORM = (
    "<h1>Personal access token</h1><form method='post'>"
    "<label>username <input name='username' id='username'></label> "
    "<label>password <input name='password' id='password' type='password'></label> "
    "<button type='submit' id='make-token'>Make a token</button></form>"
)


def _token_page(ctx: Context, req: Request) -> Response:
    """GET: the form; POST: a new personal access token for a correct username + password."""
    if req.method != "POST":
        return _page("Token", TOKEN_FORM)
    form = req.form_fields()
    user = ctx.state.user_by_ref(form.get("username", ""))
    if user is None or not hmac.compare_digest(user.password.encode(),
                                               form.get("password", "").encode()):
        return _page("Token", "<p class='FAILURE'>Incorrect username or password.</p>"
                     + TOKEN_FORM, 401)
    token = ctx.state.tokens.personal_access_token(user.username)
    return _page("Token", f"<h1>Personal access token of {escape(user.username)}</h1>"
                 f"<p><code id='token'>{escape(token)}</code></p><p>Copy it now: it is not "
                 "shown again.</p>")
