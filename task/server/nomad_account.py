"""My NOMAD account: thin server functions; the work happens in cams_module.lims.

Each acts for the logged-in user of the session; none ever returns a token.
"""

from cams_module.lims import account_page
from cams_module.lims.rights import session_user


def nomad_account(item):
    """The page: the user's own link (NOMAD name only), and every link for those who may
    remove links."""
    return account_page.page(item.task, session_user(item))


def save_nomad_token(item, token):
    """Check a NOMAD token with NOMAD and store it, encrypted, as the user's link."""
    return account_page.save(item.task, session_user(item), token)


def remove_nomad_link(item, login=None):
    """Remove the user's own link, or (with the right) another user's."""
    return account_page.remove(item.task, session_user(item), login)


def on_apply(item, delta, params, connection):
    """This item stores nothing: links live encrypted outside jam.py's items."""
    raise Exception("My NOMAD account is changed only through its page.")
