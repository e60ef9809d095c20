"""Stand-ins for the real NOMAD's infrastructure only (run inside nomad-lab's own venv).

- MongoDB: mongomock, in this process (API and processing worker share it).
- Elasticsearch: writes are no-ops; search-backed listings stay empty.
- Keycloak: local users (name -> password) and HS256 tokens signed with a per-run secret.
NOMAD's API, upload processing, parsers and normalizers are untouched.
"""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any

import jwt
import mongoengine
import mongomock

ISSUER = "cams-nomad-realnomad"


def user_id(username: str) -> str:
    """A stable user id for a local user name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"realnomad:{username}"))


def patch_mongo() -> None:
    """NOMAD's mongoengine connection goes to an in-process mongomock client."""
    from nomad import infrastructure
    from nomad.config import config

    def connect(**_: Any):
        return mongoengine.connect(db=config.mongo.db_name, host="mongodb://localhost",
                                   mongo_client_class=mongomock.MongoClient)

    async def no_async_mongo() -> None:  # serves only NOMAD's "actions" feature
        return None

    infrastructure.connect = connect
    infrastructure.init_async_mongo = no_async_mongo


def patch_elastic() -> None:
    """Indexing, refresh, publish and delete in Elasticsearch become no-ops."""
    from nomad import infrastructure, search

    def nothing(*_: Any, **__: Any) -> int:
        return 0

    originals = {name: getattr(search, name) for name in (
        "update_by_query", "delete_by_query", "refresh", "index", "publish", "unpublish",
        "update_metadata", "delete_upload", "delete_entry")}
    infrastructure.setup_elastic = lambda: None
    infrastructure.create_elastic_client = lambda *a, **k: None
    _replace_everywhere(originals, nothing)
    _replace_everywhere({"search": search.search}, _empty_search)


def _empty_search(owner: str | None = "public", query: Any = None, pagination: Any = None,
                  required: Any = None, aggregations: Any = None, user_id: Any = None) -> Any:
    """What NOMAD's search answers when the index holds nothing."""
    from nomad.app.v1.models import MetadataPagination, MetadataResponse
    from nomad.app.v1.models.pagination import PaginationResponse

    pagination = pagination or MetadataPagination()
    return MetadataResponse(owner="all" if owner is None else owner,
                            query=query if isinstance(query, dict) else None,
                            pagination=PaginationResponse(total=0, **pagination.model_dump()),
                            required=required, data=[])


def _replace_everywhere(originals: dict[str, Any], replacement: Any) -> None:
    """Replace the functions wherever NOMAD's modules imported them by name."""
    targets = {id(f) for f in originals.values()}
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("nomad"):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in targets:
                setattr(module, attr, replacement)


def patch_auth(users: dict[str, str], secret: str) -> None:
    """Password login and token checks against local users instead of Keycloak."""
    from nomad.auth import user_management as um
    from nomad.auth.keycloak import KeycloakError, OIDCToken, keycloak
    from nomad.datamodel import User

    def make_user(name: str) -> User:
        return User(user_id=user_id(name), username=name, email=f"{name}@example.org",
                    first_name=name, last_name="Test")

    def basicauth(username: str, password: str) -> OIDCToken:
        if username not in users or users[username] != password:
            raise KeycloakError("invalid user credentials")
        now = int(time.time())
        claims = {"sub": user_id(username), "preferred_username": username,
                  "email": f"{username}@example.org", "given_name": username,
                  "family_name": "Test", "iss": ISSUER, "iat": now, "exp": now + 3600}
        return OIDCToken(access_token=jwt.encode(claims, secret, algorithm="HS256"),
                         token_type="Bearer", expires_in=3600)

    def decode_access_token(token: str) -> dict:
        try:
            return jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                              options={"verify_aud": False})
        except jwt.InvalidTokenError as exc:
            raise KeycloakError(
                "Could not validate credentials. The given token is invalid.") from exc

    by_id = {user_id(n): n for n in users}

    def get_user(*, user_id: str | None = None, username: str | None = None,
                 email: str | None = None) -> User:
        name = username or by_id.get(user_id or "") or (email or "").split("@")[0]
        if name not in users:
            raise KeyError("User does not exist")
        return make_user(name)

    async def a_get_user(**kwargs: Any) -> User:
        return get_user(**kwargs)

    def search_user(query: str) -> list[User]:
        return [make_user(n) for n in sorted(users) if query.lower() in n.lower()]

    keycloak.basicauth = basicauth
    keycloak.decode_access_token = decode_access_token
    manager = um.user_management
    manager.get_user = get_user
    manager.a_get_user = a_get_user
    manager.search_user = search_user
