"""Bearer tokens: access tokens (expire), app tokens and personal access tokens."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass


@dataclass
class Token:
    username: str
    expires_at: float | None  # None: never


class TokenRegistry:
    """Issues and checks opaque tokens; holds no password."""

    def __init__(self, access_lifetime: float = 3600.0) -> None:
        self.access_lifetime = access_lifetime
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def _issue(self, prefix: str, username: str, lifetime: float | None) -> str:
        value = prefix + secrets.token_urlsafe(32)
        expires = None if lifetime is None else time.monotonic() + lifetime
        with self._lock:
            self._tokens[value] = Token(username, expires)
        return value

    def access_token(self, username: str) -> str:
        """A short-lived access token, as ``POST /auth/token`` returns."""
        return self._issue("standin_at_", username, self.access_lifetime)

    def app_token(self, username: str, expires_in: int) -> str:
        """An app token valid for ``expires_in`` seconds."""
        return self._issue("standin_app_", username, float(expires_in))

    def personal_access_token(self, username: str) -> str:
        """A NOMAD 2.x style personal access token (``nomad_pat_…``) that does not expire."""
        return self._issue("nomad_pat_", username, None)

    def check(self, value: str) -> tuple[str | None, str]:
        """The username for a token, or None and the reason it is refused."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None:
                return None, "Invalid token."
            if token.expires_at is not None and time.monotonic() >= token.expires_at:
                del self._tokens[value]
                return None, "Expired token."
            return token.username, ""

    def revoke(self, value: str) -> bool:
        """Invalidate one token (as deleting an app token or a PAT in NOMAD does)."""
        with self._lock:
            return self._tokens.pop(value, None) is not None

    def expire_all(self) -> None:
        """Invalidate every token issued so far."""
        with self._lock:
            self._tokens.clear()
