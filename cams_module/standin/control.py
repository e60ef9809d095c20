"""Test-only controls under ``/_standin/`` (not part of NOMAD's API).

Every call needs the header ``X-Standin-Control: 1`` so that a product client can never
reach them by accident; without it they answer 404 like any unknown path.
"""

from __future__ import annotations

from .api_common import Context
from .faults import Fault, parse_faults
from .routing import ApiError, Request, Response

CONTROL_HEADER = "X-Standin-Control"


def handle(ctx: Context, req: Request) -> Response:
    """Dispatch one ``/_standin/...`` request."""
    if not req.headers.get(CONTROL_HEADER):
        raise ApiError(404, "Not Found")
    state = ctx.state
    action = (req.method, req.path.rstrip("/"))
    if action == ("POST", "/_standin/faults"):
        try:
            items = parse_faults(req.json_body())
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Bad fault list: {exc}") from None
        for item in items:
            if item.get("expire_tokens"):
                state.tokens.expire_all()
                item = {k: v for k, v in item.items() if k != "expire_tokens"}
                if set(item) <= {"times", "match"}:
                    continue
            state.faults.add(Fault(**item))
        return Response.json({"pending": state.faults.pending()})
    if action == ("GET", "/_standin/faults"):
        return Response.json({"pending": state.faults.pending()})
    if action == ("POST", "/_standin/reset"):
        state.reset()
        return Response.json({"reset": True})
    if action == ("GET", "/_standin/stats"):
        return Response.json(state.stats.snapshot())
    if action == ("POST", "/_standin/stats/reset"):
        state.stats.clear()
        return Response.json(state.stats.snapshot())
    if action == ("POST", "/_standin/pat"):
        body = req.json_body() or {}
        username = body.get("username") if isinstance(body, dict) else None
        if username is None and len(state.users) == 1:
            username = next(iter(state.users))
        if state.user(username) is None:
            raise ApiError(400, "Give the username of a configured user: {\"username\": ...}")
        return Response.json({"token": state.tokens.personal_access_token(username)})
    if action == ("POST", "/_standin/revoke"):
        body = req.json_body()
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not state.tokens.revoke(token):
            raise ApiError(400, "Give a token this server issued: {\"token\": ...}")
        return Response.json({"revoked": True})
    raise ApiError(404, "Unknown stand-in control; see cams_module/standin/control.py")
