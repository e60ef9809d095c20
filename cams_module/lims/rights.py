"""Who may do what with CAMS processes and NOMAD: one table, checked on the server.

`RIGHTS` is the rights table as data: role -> action -> scope. A scope is `ALL` (any
process), `OWN` (processes whose owner is the logged-in user) or absent (never). The owner
is compared with the login jam.py put in the server-side session at login, never with a
value the client sends. A role not in the table has no right but `view`. docs/rights.md
shows this table (tests/test_rights_table.py keeps the two identical).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALL = "any process"
OWN = "own processes"

ACTIONS: dict[str, str] = {
    "view": "see processes, steps and their NOMAD status",
    "create": "add a process (a Researcher becomes its owner)",
    "edit": "change a process's fields and its steps' fields",
    "steps": "insert or delete steps",
    "delete": "delete a process",
    "change_owner": "change a process's owner (logged with old and new owner)",
    "upload": "Upload FAIR (send to NOMAD)",
    "export": "Export (download the NOMAD zip)",
    "publish": "Publish on NOMAD (irreversible)",
    "read_log": "read the NOMAD upload log",
    "read_jobs": "read the NOMAD jobs journal (internal)",
    "catalogues": "change the step types catalogue",
    "nomad_account": "manage own NOMAD account (link, replace or remove one's own token)",
    "remove_link": "remove a NOMAD link of any user (never read a token)",
}

_STEWARD = {action: ALL for action in ACTIONS if action not in ("read_jobs", "remove_link")}
RIGHTS: dict[str, dict[str, str]] = {
    "Administrator": {action: ALL for action in ACTIONS},
    "Data steward": {**{a: s for a, s in _STEWARD.items() if a != "catalogues"}},
    "Researcher": {"view": ALL, "create": OWN, "edit": OWN, "steps": OWN, "delete": OWN,
                   "upload": OWN, "export": OWN, "read_log": ALL, "nomad_account": ALL},
    "Guest": {"view": ALL},
}
UNKNOWN_ROLE = {"view": ALL}

VERBS: dict[str, str] = {
    "view": "see {what}", "create": "add processes", "edit": "change {what}",
    "steps": "insert or delete steps of {what}", "delete": "delete {what}",
    "change_owner": "change the owner of {what}", "upload": "upload {what} to NOMAD",
    "export": "export {what}", "publish": "publish {what} on NOMAD",
    "read_log": "read the NOMAD upload log", "read_jobs": "read the NOMAD jobs journal",
    "catalogues": "change the step types catalogue",
    "nomad_account": "link a NOMAD account", "remove_link": "remove NOMAD account links",
}
#: actions about a person, not a process (the table shows "yes", not a scope)
PERSONAL = ("read_log", "read_jobs", "catalogues", "nomad_account", "remove_link")


@dataclass(frozen=True)
class User:
    """The logged-in CAMS user as the server sees them."""

    login: str
    role: str
    name: str = ""


def session_user(item: Any) -> User | None:
    """The user of the current jam.py request (None outside a logged-in request). The login
    is the one `on_login` stored in jam.py's server-side session."""
    info = (item.session or {}).get("user_info") or {}
    login = info.get("login")
    if not login:
        return None
    return User(login=login, role=info.get("role_name") or "", name=info.get("user_name") or "")


def scope(user: User | None, action: str) -> str | None:
    """The scope of `action` for `user`'s role (ALL, OWN or None)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown right {action!r}")
    if user is None:
        return None
    return RIGHTS.get(user.role, UNKNOWN_ROLE).get(action)


def allowed(user: User | None, action: str, owner: str | None = None) -> bool:
    """True when `user` may do `action` on a process owned by `owner`."""
    granted = scope(user, action)
    if granted == ALL:
        return True
    return granted == OWN and bool(owner) and user is not None and owner == user.login


def why_not(user: User | None, action: str, owner: str | None = None,
            what: str = "this process") -> str | None:
    """None when allowed, else one sentence naming who may (for refusals and tooltips)."""
    if allowed(user, action, owner):
        return None
    who = user.login if user else "an anonymous user"
    granted = " or ".join(("an " if r[0] in "AEIOU" else "a ") + r
                          for r, row in RIGHTS.items() if row.get(action) == ALL)
    own = " or ".join(r for r, row in RIGHTS.items() if row.get(action) == OWN)
    sentence = f"{who} may not {VERBS[action].format(what=what)}: only "
    if own:
        sentence += f"its owner ({owner or 'none'}, as {own}) or {granted} may."
    else:
        sentence += f"{granted} may."
    return sentence


def may_upload(user: User | None, owner_login: str | None) -> bool:
    """True for the process's owner (Researcher) and for roles granted any upload."""
    return allowed(user, "upload", owner_login)


def may_publish(user: User | None) -> bool:
    """True only for roles granted publishing."""
    return allowed(user, "publish")


def markdown_table() -> str:
    """The rights table as Markdown (docs/rights.md holds exactly this)."""
    roles = list(RIGHTS)
    lines = ["| Action | " + " | ".join(roles) + " |",
             "|---|" + "---|" * len(roles)]
    for action, caption in ACTIONS.items():
        cells = [RIGHTS[role].get(action, "never") for role in roles]
        if action in PERSONAL:
            cells = ["yes" if cell == ALL else cell for cell in cells]
        lines.append(f"| `{action}`: {caption} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def may_account(user: User | None, action: str) -> bool:
    """True when `user` may do an account action: "nomad_account" (their own NOMAD link)
    or "remove_link" (anyone's)."""
    return allowed(user, action)
