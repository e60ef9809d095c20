"""The HTTP layer of the NOMAD client: one `requests.Session`, the token, retries, errors.

- Every request has an explicit timeout and `Accept: application/json`.
- Retries are urllib3's, mounted on the session (see `cams_module.nomad.retry`): idempotent
  calls are retried on lost connections and 429/502/503/504 with growing waits, honouring
  `Retry-After`, bounded in tries and in total waiting; any call is retried on a 429/503
  that carries `Retry-After` (NOMAD refused it before doing anything). The login may always
  be repeated. The final answer comes back here and is turned into a typed NomadError.
- The token is obtained once and reused; a 401 triggers one new login (when a username and
  password are known), then fails with AuthenticationError.
- Secrets travel only in the form body of the login and in the Authorization header; they
  are never logged, put in a URL, or written into an exception.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
from typing import IO, Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError

from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import (
    AccessDenied,
    AuthenticationError,
    ForbiddenError,
    NomadError,
    NomadUnavailable,
    NotFoundError,
    RequestRejected,
)
from cams_module.nomad.retry import RetriesSpent, RetryPolicy, retry_after_seconds

log = logging.getLogger("cams_module.nomad")

USER_AGENT = "cams-nomad/0.1 (+python-requests)"
LOGIN_PATH = "/auth/token"


def nomad_detail(response: requests.Response) -> str:
    """NOMAD's own explanation from an error answer (`detail`), as one line."""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return " ".join(text.split())[:300]
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI validation errors
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{where}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return " ".join(str(detail).split())[:1000] if detail is not None else ""


class NomadHttp:
    """Sends requests to one NOMAD API; knows the token, retries and error mapping."""

    def __init__(self, config: NomadConfig, *, retry: RetryPolicy | None = None,
                 session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        self.session.verify = config.verify
        self.session.trust_env = True
        self.retry = retry or RetryPolicy()
        self._token: str | None = config.token
        self.requests_sent = 0
        self.last_attempts = 0
        self.clock_offset = 0.0  # server clock minus ours, from the Date header (seconds)

    @property
    def retry(self) -> RetryPolicy:
        """The retry settings; setting them mounts urllib3 retries doing them."""
        return self._retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._retry = policy
        self.session.mount(self.config.url + "/", HTTPAdapter(max_retries=policy.urllib3()))
        self.session.mount(self.config.url + LOGIN_PATH,
                           HTTPAdapter(max_retries=policy.urllib3(any_method=True)))

    def __repr__(self) -> str:
        return f"NomadHttp(url={self.config.url!r})"

    # -- authentication -------------------------------------------------------------
    def forget_token(self) -> None:
        """Drop the current token; the next call logs in again."""
        self._token = None

    def login(self) -> str:
        """Get a new access token with POST /auth/token (form: username, password)."""
        if not self.config.can_login:
            if self.config.token:
                raise AuthenticationError(
                    "NOMAD did not accept the configured token (expired or revoked).",
                    hint=self.config.token_refused_hint
                    or "Create a new token in the NOMAD GUI and set NOMAD_TOKEN, or set "
                    "NOMAD_USERNAME and NOMAD_PASSWORD.",
                )
            raise AuthenticationError(
                "No NOMAD credentials are configured.",
                hint="Set NOMAD_TOKEN, or NOMAD_USERNAME and NOMAD_PASSWORD, or point "
                "NOMAD_CONFIG to a private configuration file.",
            )
        form = {
            "grant_type": "password",
            "username": self.config.username,
            "password": self.config.password,
        }
        response = self._send_once("POST", LOGIN_PATH, auth_header=None, data=form)
        response.request.body = None  # the prepared request held the password
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                f"NOMAD at {self.config.url} refused the login of user "
                f"'{self.config.username}'.",
                hint="Check NOMAD_USERNAME and NOMAD_PASSWORD (or the configuration file).",
                response=response,
            )
        if not response.ok:
            raise self.error_for(response, f"log in as '{self.config.username}'")
        token = self.json(response, "log in").get("access_token")
        if not token:
            raise AuthenticationError(
                "NOMAD answered the login without an access token.", response=response
            )
        self._token = str(token)
        return self._token

    def token(self) -> str:
        """The current token, logging in first when there is none."""
        if self._token is None:
            self.login()
        assert self._token is not None
        return self._token

    # -- requests ---------------------------------------------------------------------
    def call(self, method: str, path: str, *, action: str, auth: bool | None = True,
             **kwargs: Any) -> Any:
        """Send one request and return the JSON answer; raise a NomadError on failure.

        `action` names what is being done ("publish upload X"), for error messages.
        `auth`: True = token required, None = send it only if already at hand.
        """
        response = self.send(method, path, action=action, auth=auth, **kwargs)
        return self.json(response, action)

    def send(self, method: str, path: str, *, action: str, auth: bool | None = True,
             body: IO[bytes] | None = None, **kwargs: Any) -> requests.Response:
        """Send (urllib3 retries as configured) with one re-login on 401; return a 2xx
        response or raise."""
        relogged = False
        start_pos = body.tell() if body is not None else 0
        while True:
            if body is not None:
                body.seek(start_pos)  # a repeat after a new login sends the whole body again
            header = None
            fresh = self._token is None
            if auth or (auth is None and self._token):
                header = f"Bearer {self.token()}"
            else:
                fresh = False
            response = self._send_once(method, path, auth_header=header, body=body, **kwargs)
            if response.status_code == 401 and header:
                if not relogged and not fresh and self.config.can_login:
                    log.info("NOMAD token was not accepted; logging in again")
                    self.forget_token()
                    relogged = True
                    continue
                # NOMAD also answers 401 when a valid account lacks rights to an upload.
                if relogged or fresh or self._token_works(header):
                    detail = nomad_detail(response)
                    raise AccessDenied(
                        f"NOMAD does not allow this account to {action}"
                        + (f": {detail}" if detail else "."), response=response)
            if response.ok:
                return response
            raise self.error_for(response, action, relogged=relogged)

    def _token_works(self, header: str) -> bool:
        """Whether NOMAD accepts the token at all (GET /users/me)."""
        response = self._send_once("GET", "/users/me", auth_header=header)
        return response.ok

    def _send_once(self, method: str, path: str, *, auth_header: str | None,
                   body: IO[bytes] | None = None, timeout: float | None = None,
                   **kwargs: Any) -> requests.Response:
        """One call through the session (urllib3 repeats it as the policy allows)."""
        headers = dict(kwargs.pop("headers", None) or {})
        if auth_header:
            headers["Authorization"] = auth_header
        if body is not None:
            kwargs["data"] = body
        read_timeout = timeout or self.config.timeout
        started = time.monotonic()
        try:
            response = self.session.request(method, self.config.url + path, headers=headers,
                                            timeout=(min(10.0, read_timeout), read_timeout),
                                            **kwargs)
        except requests.exceptions.SSLError as err:
            self.requests_sent += 1
            raise NomadUnavailable(
                f"The TLS certificate of NOMAD at {self.config.url} could not be verified "
                f"({type(err).__name__}).",
                hint="If your Oasis uses a private certificate authority, set 'verify' in "
                "the NOMAD configuration file to the path of its CA bundle.",
            ) from None
        except (requests.ConnectionError, requests.Timeout) as err:
            spent = err.args[0] if err.args and isinstance(err.args[0], MaxRetryError) else None
            tries = spent.tries if isinstance(spent, RetriesSpent) else 1
            self.requests_sent += tries
            self.last_attempts = tries
            cause = spent.reason if spent is not None and spent.reason is not None else err
            raise self.lost_error(cause, method, path, read_timeout, tries,
                                  time.monotonic() - started) from None
        retries = getattr(response.raw, "retries", None)
        self.last_attempts = len(retries.history) + 1 if retries is not None else 1
        self.requests_sent += self.last_attempts
        log.debug("%s %s -> %s (%.3f s, %d tries)", method, path, response.status_code,
                  time.monotonic() - started, self.last_attempts)
        self._note_server_clock(response)
        return response

    def _note_server_clock(self, response: requests.Response) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        self.clock_offset = server - time.time()

    # -- answers ----------------------------------------------------------------------
    def json(self, response: requests.Response, action: str) -> Any:
        """Parse a JSON answer or raise NomadError naming the action."""
        try:
            return response.json()
        except ValueError:
            raise NomadError(
                f"NOMAD answered the request to {action} with something that is not JSON "
                f"(HTTP {response.status_code}, {response.headers.get('Content-Type', '?')}).",
                hint="Check that NOMAD_URL points to a NOMAD API (it ends in /api/v1).",
                response=response,
            ) from None

    def lost_error(self, err: BaseException | None, method: str, path: str,
                   read_timeout: float, attempts: int, elapsed: float) -> NomadUnavailable:
        """NomadUnavailable for an answer that never came."""
        tries = f" after {attempts} tries" if attempts > 1 else ""
        if isinstance(err, (requests.Timeout, ReadTimeoutError)):
            what = f"did not answer {method} {path} within {read_timeout:g} s{tries}"
        else:
            what = f"could not be reached for {method} {path}{tries}"
        return NomadUnavailable(
            f"NOMAD at {self.config.url} {what} ({type(err).__name__}, "
            f"{elapsed:.1f} s in total).",
        )

    def error_for(self, response: requests.Response, action: str, *,
                  relogged: bool = False) -> NomadError:
        """Map an error answer to the matching NomadError subclass."""
        status = response.status_code
        detail = nomad_detail(response)
        said = f": {detail}" if detail else "."
        if status == 401:
            again = " even after logging in again" if relogged else ""
            hint = None if self.config.can_login else (
                self.config.token_refused_hint
                or "The token may have expired or been revoked: create a new one in the NOMAD "
                "GUI and set NOMAD_TOKEN, or set NOMAD_USERNAME and NOMAD_PASSWORD."
            )
            return AuthenticationError(
                f"NOMAD refused the credentials to {action}{again}{said}",
                hint=hint, response=response,
            )
        if status == 403:
            hint = ("NOMAD lets only its administrators change or delete a published upload: "
                    "ask them, or leave the published data as it is."
                    if "only admins" in (detail or "") else None)
            return ForbiddenError(
                f"NOMAD does not allow this account to {action}{said}", hint=hint,
                response=response,
            )
        if status == 404:
            return NotFoundError(f"NOMAD could not {action}: not found{said}",
                                 response=response)
        if status in (400, 405, 409, 413, 422):
            return RequestRejected(
                f"NOMAD rejected the request to {action}{said}", detail=detail,
                response=response,
            )
        if status >= 500:
            wait = retry_after_seconds(response)
            hint = (f"NOMAD asks to wait {math.ceil(wait)} s: try again then." if wait else None)
            return NomadUnavailable(
                f"NOMAD failed to {action} (HTTP {status}){said}", hint=hint, response=response
            )
        return NomadError(f"NOMAD answered HTTP {status} to {action}{said}", response=response)
