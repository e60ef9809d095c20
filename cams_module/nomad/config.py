"""Where NOMAD is and who we are there: from environment variables or a private file.

Environment: NOMAD_URL, NOMAD_TOKEN or NOMAD_USERNAME + NOMAD_PASSWORD, NOMAD_CONFIG (a JSON
or INI file kept outside the repository, readable only by its owner), NOMAD_TIMEOUT.
Variables win over the file. Secrets are never shown: `repr` masks them.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from cams_module.nomad.errors import ConfigError

log = logging.getLogger("cams_module.nomad")

_SECRET_FIELDS = ("token", "password")
_FILE_KEYS = ("url", "token", "username", "password", "timeout", "upload_timeout", "verify")
_REPO_ROOT = Path(__file__).resolve().parents[2]


def normalize_api_url(url: str) -> str:
    """Return the API base ending in `/api/v1` ("https://host/prefix" is completed)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"NOMAD_URL '{_without_userinfo(url)}' is not an http(s) address.",
            hint="Set NOMAD_URL like https://nomad-lab.eu/prod/v1/api/v1 "
            "(or your Oasis's address).",
        )
    if parts.username or parts.password:
        raise ConfigError(
            "NOMAD_URL contains credentials.",
            hint="Remove them from the address and use NOMAD_USERNAME/NOMAD_PASSWORD "
            "or NOMAD_TOKEN instead.",
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"NOMAD_URL '{parts.scheme}://{parts.netloc}{parts.path}' must not have a query.",
            hint="Set NOMAD_URL to the plain API address, e.g. https://host/nomad-oasis/api/v1.",
        )
    if url.endswith("/api"):
        url += "/v1"
    elif not url.endswith("/api/v1"):
        url += "/api/v1"
    return url


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url.replace(parts.netloc, parts.hostname or "", 1)
    return url


@dataclass(frozen=True, repr=False)
class NomadConfig:
    """Address, credentials and timeouts of one NOMAD installation."""

    url: str
    token: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    upload_timeout: float = 600.0
    verify: bool | str = True
    #: what to tell the user when NOMAD refuses the token (None: the default advice)
    token_refused_hint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", normalize_api_url(self.url))
        if self.password and not self.username:
            raise ConfigError("A NOMAD password is set but no username.")

    @property
    def api_url(self) -> str:
        """API base, e.g. https://nomad-lab.eu/prod/v1/api/v1."""
        return self.url

    @property
    def gui_url(self) -> str:
        """GUI base: the API address without /api/v1, plus /gui."""
        return self.url[: -len("/api/v1")] + "/gui"

    @property
    def can_login(self) -> bool:
        """True when a new token can be obtained (username and password are known)."""
        return bool(self.username and self.password)

    @property
    def has_credentials(self) -> bool:
        """True when there is a token or a username and password."""
        return bool(self.token) or self.can_login

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS and value:
                shown.append(f"{f.name}='***'")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"NomadConfig({', '.join(shown)})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *,
                 url: str | None = None) -> NomadConfig:
        """Read NOMAD_CONFIG (if set), then NOMAD_* variables on top; `url` wins over both."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        config_path = env.get("NOMAD_CONFIG")
        if config_path:
            values.update(read_config_file(config_path))
        for key in ("url", "token", "username", "password"):
            value = env.get(f"NOMAD_{key.upper()}")
            if value:
                values[key] = value
        for key in ("timeout", "upload_timeout"):
            value = env.get(f"NOMAD_{key.upper()}")
            if value:
                values[key] = _number(key, value)
        if url:
            values["url"] = url
        if not values.get("url"):
            raise ConfigError(
                "No NOMAD address is configured.",
                hint="Set NOMAD_URL (e.g. https://nomad-lab.eu/prod/v1/test/api/v1 for "
                "NOMAD's test instance) or pass --url.",
            )
        return cls(**values)  # type: ignore[arg-type]


def _number(key: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(
            f"NOMAD setting '{key}' must be a number of seconds, not '{value}'."
        ) from None
    if number <= 0:
        raise ConfigError(f"NOMAD setting '{key}' must be positive, not {number:g}.")
    return number


def read_config_file(path: str | os.PathLike[str]) -> dict[str, object]:
    """Read a JSON object or an INI file with a [nomad] section; refuse a file that other
    users may read or write (it holds credentials: mode 0600)."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
        mode = file.stat().st_mode
    except OSError as err:
        raise ConfigError(
            f"Cannot read the NOMAD configuration file {file}: {err.strerror}.",
            hint="Check NOMAD_CONFIG: it must name a readable file.",
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"The NOMAD configuration file {file} can be read or changed by other users "
            f"(mode {stat.S_IMODE(mode):04o}); it holds credentials.",
            hint=f"Restrict it with: chmod 600 {file}",
        )
    if _inside(file.resolve(), _REPO_ROOT) and (_REPO_ROOT / ".git").exists():
        log.warning(
            "NOMAD configuration file %s lies inside the source repository; keep "
            "credentials outside it so they are never committed.", file,
        )
    raw = _parse_config(file, text)
    unknown = sorted(set(raw) - set(_FILE_KEYS))
    if unknown:
        raise ConfigError(
            f"NOMAD configuration file {file} has unknown settings: {', '.join(unknown)}.",
            hint=f"Allowed settings: {', '.join(_FILE_KEYS)}.",
        )
    values: dict[str, object] = {k: v for k, v in raw.items() if v not in (None, "")}
    for key in ("timeout", "upload_timeout"):
        if key in values:
            values[key] = _number(key, values[key])
    if isinstance(values.get("verify"), str) and values["verify"].lower() in ("true", "false"):
        values["verify"] = values["verify"].lower() == "true"
    return values


def _parse_config(file: Path, text: str) -> dict[str, object]:
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(
                f"NOMAD configuration file {file} is not valid JSON (line {err.lineno}).",
                hint="Fix the file: one JSON object with url, token or username/password.",
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"NOMAD configuration file {file} must hold a JSON object.")
        return data
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(file))
    except configparser.Error:
        raise ConfigError(
            f"NOMAD configuration file {file} is neither JSON nor INI.",
            hint="Write a [nomad] section with url = …, username = …, password = … "
            "(or token = …).",
        ) from None
    if not parser.has_section("nomad"):
        raise ConfigError(
            f"NOMAD configuration file {file} has no [nomad] section.",
            hint="Start the settings with a line [nomad].",
        )
    return dict(parser.items("nomad"))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True
