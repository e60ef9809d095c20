"""Authentication, account, info and schema endpoints."""

from __future__ import annotations

import hmac

from .api_common import BEARER, Context, authenticate
from .routing import ApiError, Handlers, Request, Response, handlers, validation_error

MAX_APP_TOKEN_SECONDS = 2_592_000


def register(ctx: Context) -> Handlers:
    """Add ``/auth/*``, ``/users/me``, ``/info`` and ``/schemas/*``."""

    def post_token(req: Request) -> Response:
        form = req.form_fields()
        missing = [k for k in ("grant_type", "username", "password") if k not in form]
        if missing:
            raise ApiError(422, [
                {"type": "missing", "loc": ["body", k], "msg": "Field required", "input": None}
                for k in missing
            ])
        if form["grant_type"] != "password":
            raise validation_error(["body", "grant_type"],
                                   "String should match pattern '^password$'",
                                   "string_pattern_mismatch")
        user = ctx.state.user_by_ref(form["username"])  # username or e-mail, like Keycloak
        if user is None or not hmac.compare_digest(
            user.password.encode(), form["password"].encode()
        ):
            raise ApiError(401, "Incorrect username or password", BEARER)
        token = ctx.state.tokens.access_token(user.username)
        return Response.json({
            "access_token": token, "token_type": "Bearer",
            "expires_in": int(ctx.state.settings.token_lifetime),
            # NOMAD 2.0's answer always has these (null when unused): no refresh here
            "refresh_token": None, "refresh_expires_in": None, "id_token": None, "scope": None,
        }, exclude_none=False)

    def get_app_token(req: Request) -> Response:
        user = authenticate(ctx, req)
        expires_in = req.int_arg("expires_in")
        if expires_in is None:
            raise ApiError(422, [{"type": "missing", "loc": ["query", "expires_in"],
                                  "msg": "Field required", "input": None}])
        if not 0 < expires_in <= MAX_APP_TOKEN_SECONDS:
            raise validation_error(["query", "expires_in"],
                                   f"expires_in must be > 0 and <= {MAX_APP_TOKEN_SECONDS}")
        return Response.json({"app_token": ctx.state.tokens.app_token(user.username, expires_in)})

    def users_me(req: Request) -> Response:
        return Response.json(authenticate(ctx, req).to_json())

    def info(req: Request) -> Response:
        names = ctx.judge.names if ctx.judge else ()
        return Response.json({
            "parsers": ["parsers/archive"],
            "metainfo_packages": list(names),
            "codes": [],
            "normalizers": [],
            "plugin_packages": [{"name": "nomad-fabrication-utilities", "version": n,
                                 "entry_points": []} for n in names],
            "statistics": {"n_uploads": len(ctx.state.uploads),
                           "n_entries": sum(len(u.entries) for u in ctx.state.uploads.values())},
            "version": ctx.state.settings.version,
            "deployment": "local NOMAD stand-in (cams-nomad) - not NOMAD",
            "oasis": True,
        })

    def schema(req: Request) -> Response:
        major = ctx.state.settings.version.split(".", 1)[0]
        if major.isdigit() and int(major) < 2:
            raise ApiError(404, "Not Found")  # NOMAD before 2.0 has no /schemas endpoint
        schema_id = req.params["schema_id"].split("@", 1)[0]
        fmt = req.arg("format") or "jsonschema"
        if fmt not in ("jsonschema", "metainfo"):
            raise validation_error(["query", "format"],
                                   "Input should be 'jsonschema' or 'metainfo'", "enum")
        if fmt != "jsonschema":
            raise ApiError(400, "The local stand-in serves format=jsonschema only.")
        if ctx.judge is None:
            raise ApiError(500, f"The stand-in has no schemas loaded: {ctx.judge_problem}")
        doc = ctx.judge.jsonschema(schema_id)
        if doc is None:
            raise ApiError(404, f"The schema {schema_id!r} is not known to this deployment "
                                f"(schema sets: {', '.join(ctx.judge.names)}).")
        return Response.json(doc, exclude_none=False)

    return handlers(post_token, get_app_token, users_me, info, schema)
