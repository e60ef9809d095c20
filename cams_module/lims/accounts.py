"""NOMAD accounts linked to CAMS users: tokens encrypted at rest with the facility's key.

Each CAMS login may link one NOMAD token (an app token or a personal access token). The
token is kept only encrypted (Fernet: AES-128-CBC + HMAC-SHA256) in the table
`cams_nomad_accounts` of the CAMS database, created on first use; that table is not a
jam.py item, so no generic jam.py call can read it. The key never enters the database:
it comes from env `CAMS_NOMAD_KEY` or from the file named by `CAMS_NOMAD_KEY_FILE`
(mode 0600 or stricter; a file other users may read is refused). Several keys separated
by blanks or commas: the first encrypts, all decrypt (key rotation). Only `token_of`
decrypts, and only the upload worker calls it; nothing here returns a token otherwise.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from cams_module.lims.connections import DatabaseUnavailable
from cams_module.lims.jam_compat import value_literal
from cams_module.lims.job_store import transaction as store_transaction
from cams_module.lims.times import now, to_iso
from cams_module.nomad.errors import NomadError
from cams_module.nomad.people import NomadPerson

TABLE = "cams_nomad_accounts"
KEY_ENV = "CAMS_NOMAD_KEY"
KEY_FILE_ENV = "CAMS_NOMAD_KEY_FILE"
COLUMNS = ("login", "nomad_user_id", "nomad_username", "nomad_name", "linked_at",
           "refused_at")
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} ("
           "login VARCHAR(60) NOT NULL PRIMARY KEY, nomad_user_id VARCHAR(100), "
           "nomad_username VARCHAR(200), nomad_name VARCHAR(300), token_cipher TEXT, "
           "linked_at VARCHAR(40), refused_at VARCHAR(40))")
_ready: set[str] = set()
_ready_lock = threading.Lock()


class AccountError(NomadError):
    """The facility's key is missing or unusable, or a stored token cannot be read; the
    message is one sentence for the user, naming what to do."""

    default_hint = "Nothing was sent to NOMAD."


@dataclass(frozen=True)
class LinkedAccount:
    """A CAMS user's link to a NOMAD account, as shown on the page (never the token)."""

    login: str
    nomad_user_id: str
    nomad_username: str
    nomad_name: str
    linked_at: str | None = None
    #: when NOMAD last refused the token (it must be renewed), else None
    refused_at: str | None = None

    @property
    def shown(self) -> str:
        """The NOMAD account as a person reads it: 'Full Name (username)'."""
        return NomadPerson(self.nomad_user_id, self.nomad_username, self.nomad_name).shown

    def to_reply(self) -> dict:
        """Plain data for a reply."""
        return {**asdict(self), "shown": self.shown}


# -- the facility's key ------------------------------------------------------------------
def _key_list(text: str, where: str) -> list[bytes]:
    keys = [k for k in text.replace(",", " ").split() if k]
    if not keys:
        raise AccountError(f"{where} holds no key.")
    return [k.encode("ascii", "replace") for k in keys]


def _key_file(path: Path) -> str:
    try:
        info = path.stat()
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not plain text"
        raise AccountError(f"The NOMAD account key file {path} cannot be read ({reason}); "
                           f"check {KEY_FILE_ENV}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise AccountError(f"The NOMAD account key file {path} is not a regular file.")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AccountError(
            f"The NOMAD account key file {path} can be read or changed by other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); restrict it with: chmod 600 {path}")
    return text


def facility_key(environ: Mapping[str, str] | None = None) -> MultiFernet:
    """The key that encrypts linked tokens (env CAMS_NOMAD_KEY or CAMS_NOMAD_KEY_FILE)."""
    env = os.environ if environ is None else environ
    if env.get(KEY_ENV):
        keys = _key_list(env[KEY_ENV], KEY_ENV)
    elif env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV]).expanduser()
        keys = _key_list(_key_file(path), f"The key file {path}")
    else:
        raise AccountError(
            "Linking NOMAD accounts is not set up on this CAMS server (no key to encrypt "
            f"tokens: {KEY_ENV} or {KEY_FILE_ENV}); ask the CAMS administrator.")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError:
        raise AccountError(
            "The NOMAD account key is not a valid key (32 url-safe base64-encoded bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'") from None


def new_key() -> str:
    """A fresh key for CAMS_NOMAD_KEY (or the key file)."""
    return Fernet.generate_key().decode()


# -- the table ---------------------------------------------------------------------------
@contextmanager
def transaction(task: Any, wait: float = 10.0) -> Iterator[Any]:
    """A database connection committed at the end (rolled back on error); a job resumed
    while jam.py renews its connection pool at start waits for it (`wait` seconds)."""
    try:
        with store_transaction(task, wait) as con:
            yield con
    except DatabaseUnavailable:
        raise AccountError("The CAMS database could not be reached to read the NOMAD "
                           "account links; press the button again.") from None


def _marks(task: Any, count: int) -> list[str]:
    return [value_literal(task, i) for i in range(1, count + 1)]


def ensure_table(task: Any) -> None:
    """Create the accounts table when this database does not have it yet."""
    where = str(getattr(task, "work_dir", "")) + ":" + str(id(task))
    with _ready_lock:
        if where in _ready:
            return
        try:
            with transaction(task) as con:
                con.cursor().execute(_CREATE)
        except AccountError:
            raise
        except Exception:  # noqa: BLE001 - PostgreSQL: another process created it just now
            with transaction(task) as con:  # ("IF NOT EXISTS" races in pg_type); again
                con.cursor().execute(_CREATE)
        _ready.add(where)


def _select(task: Any, where: str = "", params: Iterable[Any] = ()) -> list[LinkedAccount]:
    ensure_table(task)
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE}{where} ORDER BY login",
                       list(params))
        rows = cursor.fetchall()
    return [LinkedAccount(*(r[0:4]), linked_at=r[4], refused_at=r[5]) for r in rows]


def linked(task: Any, login: str) -> LinkedAccount | None:
    """The NOMAD account `login` linked, or None."""
    found = _select(task, f" WHERE login = {_marks(task, 1)[0]}", [login])
    return found[0] if found else None


def all_links(task: Any) -> list[LinkedAccount]:
    """Every link (by CAMS login), for those who may remove links."""
    return _select(task)


def links_of(task: Any, logins: Iterable[str]) -> dict[str, LinkedAccount]:
    """The links of these logins (those without one are left out)."""
    wanted = sorted({login for login in logins if login})
    if not wanted:
        return {}
    marks = ", ".join(_marks(task, len(wanted)))
    return {a.login: a for a in _select(task, f" WHERE login IN ({marks})", wanted)}


def link(task: Any, login: str, token: str, person: NomadPerson,
         key: MultiFernet | None = None) -> LinkedAccount:
    """Store (or replace) `login`'s token, encrypted, with the account NOMAD named."""
    cipher = (key or facility_key()).encrypt(token.encode()).decode("ascii")
    account = LinkedAccount(login, person.user_id, person.username, person.name,
                            linked_at=to_iso(now()))
    ensure_table(task)
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(f"DELETE FROM {TABLE} WHERE login = {_marks(task, 1)[0]}", [login])
        cursor.execute(
            f"INSERT INTO {TABLE} (login, nomad_user_id, nomad_username, nomad_name, "
            f"token_cipher, linked_at, refused_at) VALUES ({', '.join(_marks(task, 7))})",
            [login, person.user_id, person.username, person.name, cipher,
             account.linked_at, None])
    return account


def unlink(task: Any, login: str) -> bool:
    """Remove `login`'s link (the encrypted token with it); False when there was none."""
    ensure_table(task)
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(f"DELETE FROM {TABLE} WHERE login = {_marks(task, 1)[0]}", [login])
        return cursor.rowcount > 0


def mark_refused(task: Any, login: str) -> None:
    """Note that NOMAD refused `login`'s token (the page asks them to renew it)."""
    ensure_table(task)
    with transaction(task) as con:
        mark = _marks(task, 2)
        con.cursor().execute(f"UPDATE {TABLE} SET refused_at = {mark[0]} WHERE login = "
                             f"{mark[1]}", [to_iso(now()), login])


def token_of(task: Any, login: str, key: MultiFernet | None = None) -> str | None:
    """`login`'s NOMAD token, decrypted (None when not linked). Only the upload worker
    calls this; AccountError when the key is missing or does not open the token."""
    ensure_table(task)
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(f"SELECT token_cipher FROM {TABLE} WHERE login = {_marks(task, 1)[0]}",
                       [login])
        row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    try:
        return (key or facility_key()).decrypt(row[0].encode("ascii")).decode()
    except InvalidToken:
        raise AccountError(
            f"The NOMAD token {login} linked cannot be decrypted with the facility's current "
            f"key (the key changed); {login}: save your NOMAD token again on the 'My NOMAD "
            "account' page.") from None
