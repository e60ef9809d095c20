"""People in NOMAD: whose account a token opens (`GET /users/me`), and the unpublished
uploads that count against NOMAD's per-user limit.

NOMAD refuses a user's next upload once they hold `upload_limit` unpublished uploads as
main author (administrators have no limit); `unpublished_uploads` lists exactly those, so
a caller can refuse before sending and name what to publish or delete.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from cams_module.nomad.client import NomadClient
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import AuthenticationError, ConfigError
from cams_module.nomad.models import Upload
from cams_module.nomad.retry import RetryPolicy

#: NOMAD's default `services.upload_limit` (unpublished uploads per user)
DEFAULT_UPLOAD_LIMIT = 10
#: seconds a token check may take (it runs while a person waits for the page)
CHECK_TIMEOUT = 10.0
MAX_TOKEN_LENGTH = 8192
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]+")


@dataclass(frozen=True)
class NomadPerson:
    """A NOMAD account as `GET /users/me` describes it (no secret in here)."""

    user_id: str
    username: str
    name: str
    is_admin: bool = False

    @property
    def shown(self) -> str:
        """'Full Name (username)', or the username alone."""
        if self.name and self.name != self.username:
            return f"{self.name} ({self.username})"
        return self.username or self.user_id

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> NomadPerson:
        """From NOMAD's `User` JSON."""
        name = data.get("name") or " ".join(
            str(p) for p in (data.get("first_name"), data.get("last_name")) if p)
        return cls(user_id=str(data.get("user_id") or ""),
                   username=str(data.get("username") or ""), name=str(name or ""),
                   is_admin=bool(data.get("is_admin")))


def clean_token(text: Any) -> str:
    """The token as NOMAD expects it in `Authorization: Bearer …` (a pasted 'Bearer ' and
    surrounding blanks removed); ValueError with a sentence when it cannot be one."""
    if not isinstance(text, str):
        raise ValueError("Paste the token as text.")
    token = text.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise ValueError("Paste a NOMAD token: an app token or a personal access token.")
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.fullmatch(token):
        raise ValueError("This is not a NOMAD token: a token is one word of letters, digits "
                         "and . _ - + / = (copy it again from NOMAD).")
    return token


def person_behind(client: NomadClient) -> NomadPerson:
    """The account NOMAD sees behind the client's credentials."""
    return NomadPerson.from_api(client.whoami())


def config_for_token(config: NomadConfig, token: str, *,
                     refused_hint: str | None = None) -> NomadConfig:
    """`config` with only this token as credentials: no username or password, so nothing
    can fall back to another account."""
    return replace(config, token=token, username=None, password=None,
                   token_refused_hint=refused_hint)


def check_token(config: NomadConfig, token: str, *,
                timeout: float = CHECK_TIMEOUT) -> NomadPerson:
    """Whose NOMAD account `token` opens, asked from the NOMAD of `config` with a short
    timeout and no retries. AuthenticationError when NOMAD refuses the token."""
    checked = replace(config_for_token(config, token), timeout=timeout)
    with NomadClient(checked, retry=RetryPolicy(attempts=1)) as client:
        person = person_behind(client)
    if not person.user_id:
        raise AuthenticationError("NOMAD answered without naming the account of this token.")
    return person


def upload_limit(environ: Mapping[str, str] | None = None) -> int:
    """NOMAD's unpublished-upload limit per user (env NOMAD_UPLOAD_LIMIT, default 10)."""
    env = os.environ if environ is None else environ
    text = (env.get("NOMAD_UPLOAD_LIMIT") or "").strip()
    if not text:
        return DEFAULT_UPLOAD_LIMIT
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"NOMAD_UPLOAD_LIMIT must be a whole number above 0, not '{text}'.",
                          hint="Set it to your NOMAD's services.upload_limit (10 by default).")
    return int(text)


def unpublished_uploads(client: NomadClient, *, page_size: int = 100) -> tuple[list[Upload], int]:
    """The account's unpublished uploads as main author (oldest first, at most `page_size`)
    and how many there are in total: what NOMAD counts against its upload limit."""
    data = client.http.call(
        "GET", "/uploads", action="list your unpublished uploads",
        params={"roles": "main_author", "is_published": "false", "page_size": page_size,
                "order_by": "upload_create_time", "order": "asc"})
    uploads = [Upload.from_api(u, client.config.gui_url) for u in data.get("data") or []]
    total = (data.get("pagination") or {}).get("total")
    return uploads, total if isinstance(total, int) else len(uploads)
