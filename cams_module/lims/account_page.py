"""The "My NOMAD account" page on the server: show, link, replace and remove a CAMS user's
NOMAD token.

Every function acts for the session's user (the login jam.py keeps on the server, never a
login the browser names for itself) and checks the rights table first: a user sees and
changes only their own link; a role granted "remove a NOMAD link" may list and remove any
link. A token is checked against NOMAD's `GET /users/me` before it is stored; no reply, log
line or upload log row ever holds a token.
"""

from __future__ import annotations

import logging
from typing import Any

from cams_module.lims import accounts
from cams_module.lims.accounts import AccountError
from cams_module.lims.rights import RIGHTS, User, may_account
from cams_module.nomad.config import NomadConfig
from cams_module.nomad.errors import AuthenticationError, ConfigError, NomadError
from cams_module.nomad.people import check_token, clean_token

log = logging.getLogger("cams_module.lims.account_page")

MANAGE = "nomad_account"
REMOVE = "remove_link"
NO_TOKEN_SAVED = "Nothing was saved."


def _reply(ok: bool, message: str, **extra: Any) -> dict:
    return {"ok": ok, "message": message, **extra}


def _who(user: User | None) -> str:
    return user.login if user else "an anonymous user"


def _availability() -> str | None:
    """None when tokens can be linked, else the sentence why not."""
    try:
        accounts.facility_key()
        NomadConfig.from_env()
    except AccountError as err:
        return str(err)
    except NomadError as err:
        return f"NOMAD is not configured on the CAMS server: {err.describe()}"
    return None


def page(task: Any, user: User | None) -> dict:
    """What the page shows: the user's own link (NOMAD name, never the token), what they
    may do, and every link for those who may remove links."""
    may_link, may_remove = may_account(user, MANAGE), may_account(user, REMOVE)
    if not may_link and not may_remove:
        return _reply(False, f"{_who(user)} may not link a NOMAD account: only the roles "
                      f"{', '.join(accounts_roles(MANAGE))} may.", may_link=False,
                      may_remove_links=False, account=None, links=[])
    own = accounts.linked(task, user.login)
    missing = _availability()
    reply = _reply(True, "", login=user.login, may_link=may_link,
                   may_remove_links=may_remove, available=missing is None,
                   unavailable_reason=missing, account=own.to_reply() if own else None,
                   links=[a.to_reply() for a in accounts.all_links(task)] if may_remove else [])
    if own and own.refused_at:
        reply["message"] = (f"NOMAD refused your token on {own.refused_at}: it has expired or "
                            "was revoked. Create a new token in NOMAD and save it here.")
    return reply


def accounts_roles(action: str) -> list[str]:
    """The roles granted an account action (for refusals)."""
    return [role for role, row in RIGHTS.items() if action in row]


def save(task: Any, user: User | None, token_text: Any) -> dict:
    """Check a pasted token with NOMAD and store it (encrypted) as the user's link,
    replacing an earlier one. The reply names the NOMAD account, never the token."""
    if not may_account(user, MANAGE):
        log.warning("linking a NOMAD account refused for %s (no right)", _who(user))
        return _reply(False, f"{_who(user)} may not link a NOMAD account. {NO_TOKEN_SAVED}")
    try:
        token = clean_token(token_text)
        key = accounts.facility_key()
        config = NomadConfig.from_env()
    except ValueError as err:
        return _reply(False, f"{err} {NO_TOKEN_SAVED}")
    except AccountError as err:
        return _reply(False, f"{err} {NO_TOKEN_SAVED}")
    except ConfigError as err:
        return _reply(False, f"NOMAD is not configured on the CAMS server: {err.describe()} "
                      f"{NO_TOKEN_SAVED}")
    try:
        person = check_token(config, token)
    except AuthenticationError:
        return _reply(False, "NOMAD refused this token (mistyped, expired or revoked). "
                      f"{NO_TOKEN_SAVED} Create a new app token or personal access token in "
                      "NOMAD and paste it here.")
    except NomadError as err:
        return _reply(False, f"NOMAD could not check the token: {err.message} "
                      f"{NO_TOKEN_SAVED} Try again later.")
    holder = next((a for a in accounts.all_links(task)
                   if a.nomad_user_id == person.user_id and a.login != user.login), None)
    if holder is not None:
        return _reply(False, f"NOMAD account {person.shown} is already linked to CAMS user "
                      f"{holder.login}; one NOMAD account links to one CAMS user. "
                      f"{NO_TOKEN_SAVED}")
    account = accounts.link(task, user.login, token, person, key)
    log.info("%s linked NOMAD account %s", user.login, person.username)
    return _reply(True, f"Linked to NOMAD account {person.shown}. Your uploads now go to "
                  "NOMAD in your name.", account=account.to_reply())


def remove(task: Any, user: User | None, login: Any = None) -> dict:
    """Remove a link: the user's own (no `login`, or their own login), or — for a role
    granted "remove a NOMAD link" — anyone's."""
    own = login in (None, "") or (user is not None and login == user.login)
    if own:
        if not may_account(user, MANAGE):
            return _reply(False, f"{_who(user)} may not change NOMAD account links.")
        target = user.login
    else:
        if not isinstance(login, str) or len(login) > 60:
            return _reply(False, f"{str(login)[:60]!r} is not a CAMS login.")
        if not may_account(user, REMOVE):
            log.warning("%s was refused removing the NOMAD link of %s", _who(user), login)
            return _reply(False, f"{_who(user)} may not remove the NOMAD link of {login}: only "
                          f"the roles {', '.join(accounts_roles(REMOVE))} may.")
        target = login
    if not accounts.unlink(task, target):
        return _reply(False, f"{target} has no linked NOMAD account.")
    log.info("%s removed the NOMAD link of %s", user.login, target)
    whose = "Your" if own else f"{target}'s"
    return _reply(True, f"{whose} NOMAD account link is removed; the token is deleted from "
                  "CAMS. Uploads go through the facility's NOMAD account again.")
