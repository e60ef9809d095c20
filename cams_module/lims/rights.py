"""Who may send a CAMS process to NOMAD: checked on the server, never in the browser.

A process may be uploaded by its owner or by a user whose role has `can_upload` in the
`nomad_rights` item; publishing needs a role with `can_publish` (ownership is not enough).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class User:
    """The logged-in CAMS user as the server sees them."""

    login: str
    role: str
    name: str = ""


@dataclass(frozen=True)
class Rights:
    """What a role may do with NOMAD."""

    can_upload: bool = False
    can_publish: bool = False


def session_user(item: Any) -> User | None:
    """The user of the current jam.py request (None outside a logged-in request)."""
    info = (item.session or {}).get("user_info") or {}
    login = info.get("login")
    if not login:
        return None
    return User(login=login, role=info.get("role_name") or "", name=info.get("user_name") or "")


def role_rights(task: Any, role: str) -> Rights:
    """The NOMAD rights granted to `role` (none when the role is not listed)."""
    rows = task.nomad_rights.copy(handlers=False)
    rows.set_where(role_name=role)
    rows.open()
    for row in rows:
        return Rights(bool(row.can_upload.value), bool(row.can_publish.value))
    return Rights()


def may_upload(task: Any, user: User | None, owner_login: str | None) -> bool:
    """True for the process's owner and for roles granted the upload right."""
    if user is None:
        return False
    if owner_login and user.login == owner_login:
        return True
    return role_rights(task, user.role).can_upload


def may_publish(task: Any, user: User | None) -> bool:
    """True only for roles granted the publish right."""
    return user is not None and role_rights(task, user.role).can_publish


#: NOMAD account links (issue #15), by role: who may link their own NOMAD account on the
#: "My NOMAD account" page, and who may remove another user's link (never read a token).
ACCOUNT_RIGHTS: dict[str, tuple[str, ...]] = {
    "manage own NOMAD account": ("Administrator", "Data steward", "Researcher"),
    "remove a NOMAD link": ("Administrator",),
}


def may_account(user: User | None, action: str) -> bool:
    """True when `user`'s role is granted `action` of `ACCOUNT_RIGHTS`."""
    if action not in ACCOUNT_RIGHTS:
        raise KeyError(f"unknown NOMAD account right {action!r}")
    return user is not None and user.role in ACCOUNT_RIGHTS[action]
