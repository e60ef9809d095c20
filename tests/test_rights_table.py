"""The rights table (cams_module/lims/rights.py): its sentences, and docs/rights.md shows
exactly the table the server enforces."""

from __future__ import annotations

import re

from cams_module.lims.rights import (
    ACTIONS,
    ALL,
    OWN,
    RIGHTS,
    User,
    allowed,
    markdown_table,
    why_not,
)
from tests.fixtures.cams_task import REPO

ROSSI = User("m.rossi", "Researcher")


def test_docs_show_the_table_the_server_enforces():
    text = (REPO / "docs" / "rights.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- rights-table:start -->\n(.*?)<!-- rights-table:end -->", text,
                      re.S).group(1)
    assert shown == markdown_table(), "regenerate the table in docs/rights.md from rights.py"


def test_every_role_has_only_known_actions_and_scopes():
    for role, row in RIGHTS.items():
        assert set(row) <= set(ACTIONS), role
        assert set(row.values()) <= {ALL, OWN}, role
    assert all(RIGHTS[role].get("view") == ALL for role in RIGHTS)


def test_owner_scope_compares_the_login_exactly():
    assert allowed(ROSSI, "upload", "m.rossi")
    assert not allowed(ROSSI, "upload", "l.verdi")
    assert not allowed(ROSSI, "upload", "M.Rossi")
    assert not allowed(ROSSI, "upload", "") and not allowed(ROSSI, "upload", None)
    assert not allowed(None, "view")
    assert allowed(User("x", "Some other role"), "view")
    assert not allowed(User("x", "Some other role"), "export", "x")


def test_refusals_name_who_may():
    sentence = why_not(ROSSI, "upload", "l.verdi", "process 'P'")
    assert sentence == ("m.rossi may not upload process 'P' to NOMAD: only its owner "
                        "(l.verdi, as Researcher) or an Administrator or a Data steward may.")
    assert why_not(User("guest", "Guest"), "publish", None, "process 'P'") == \
        "guest may not publish process 'P' on NOMAD: only an Administrator or a Data steward may."
    assert why_not(ROSSI, "upload", "m.rossi") is None
