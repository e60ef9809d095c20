"""My NOMAD account: rights, the facility's key and tokens at rest, through jam.py's HTTP
API against the stand-in (and the key rules on their own)."""

from __future__ import annotations

import json
import os
import sqlite3

import psycopg2
import pytest
from cryptography.fernet import Fernet

from cams_module.lims.accounts import AccountError, facility_key, new_key
from tests.fixtures.cams_task import CamsCallError

PEOPLE = {"mario": "Mario Rossi", "anna": "Anna Bianchi"}


@pytest.fixture(scope="module")
def people_nomad(nomad_server_factory):
    return nomad_server_factory(people=PEOPLE)


@pytest.fixture
def nomad(people_nomad):
    people_nomad.check_alive()
    people_nomad.reset()
    return people_nomad


def stored(cams) -> list[tuple]:
    """Every row of the accounts table, straight from the database."""
    sql = "SELECT * FROM cams_nomad_accounts"
    if cams.database:
        pg = cams.pg
        con = psycopg2.connect(host=pg["host"], port=pg["port"], user=pg["user"],
                               password=pg["password"], dbname=cams.database)
    else:
        con = sqlite3.connect(cams.folder / "cams.sqlite")
    try:
        cursor = con.cursor()
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        con.close()


def page(session) -> dict:
    return session.call("nomad_account", "nomad_account")


def test_each_user_sees_and_changes_only_their_own_link(cams_server_factory, nomad):
    cams = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_KEY": new_key()})
    mario, anna = nomad.mint_pat("mario"), nomad.mint_pat("anna")
    rossi, bianchi = cams.login("m.rossi"), cams.login("a.bianchi")
    admin, guest = cams.login("admin"), cams.login("guest")

    assert page(rossi)["account"] is None and page(rossi)["available"] is True
    saved = rossi.call("nomad_account", "save_nomad_token", f"  Bearer {mario}\n")
    assert saved["ok"] and saved["account"]["nomad_username"] == "mario"
    shown = page(rossi)
    assert shown["account"]["shown"] == "Mario Rossi (mario)" and shown["links"] == []
    assert mario not in json.dumps(shown) and "token" not in shown["account"]

    # another user sees neither the link nor may remove it
    other = page(bianchi)
    assert other["account"] is None and other["links"] == [] and not other["may_remove_links"]
    refused = bianchi.call("nomad_account", "remove_nomad_link", "m.rossi")
    assert refused["ok"] is False and "a.bianchi may not remove the NOMAD link of m.rossi" \
        in refused["message"]
    assert page(rossi)["account"] is not None
    # one NOMAD account links to one CAMS user
    taken = bianchi.call("nomad_account", "save_nomad_token", mario)
    assert taken["ok"] is False and "already linked to CAMS user m.rossi" in taken["message"]
    # a token NOMAD refuses is not stored
    wrong = bianchi.call("nomad_account", "save_nomad_token", "nomad_pat_wrong")
    assert wrong["ok"] is False and "NOMAD refused this token" in wrong["message"]
    assert page(bianchi)["account"] is None
    assert bianchi.call("nomad_account", "save_nomad_token", anna)["ok"] is True

    # guests may not link (their menu has no such page); nothing reaches the table through
    # jam.py's own calls
    assert guest.call("nomad_account", "save_nomad_token", anna)["ok"] is False
    assert page(guest)["ok"] is False and page(guest)["account"] is None
    with pytest.raises(CamsCallError):
        guest.call("nomad_account", "token_of", "m.rossi")
    assert admin.rows("nomad_account", []) == [] and rossi.rows("nomad_account", []) == []
    with pytest.raises(CamsCallError):
        rossi.call("nomad_account", "token_of", "m.rossi")

    # the administrator lists and removes links, never reads a token
    listed = page(admin)
    assert [(a["login"], a["shown"]) for a in listed["links"]] == [
        ("a.bianchi", "Anna Bianchi (anna)"), ("m.rossi", "Mario Rossi (mario)")]
    assert mario not in json.dumps(listed) and anna not in json.dumps(listed)
    removed = admin.call("nomad_account", "remove_nomad_link", "m.rossi")
    assert removed["ok"] and "m.rossi's NOMAD account link is removed" in removed["message"]
    assert page(rossi)["account"] is None
    assert bianchi.call("nomad_account", "remove_nomad_link", None)["ok"] is True
    assert stored(cams) == []

    # at rest: only ciphertext, which the facility's key opens
    rossi.call("nomad_account", "save_nomad_token", mario)
    [row] = stored(cams)
    assert mario not in json.dumps(row, default=str)
    cipher = row[4]
    assert Fernet(cams.env["CAMS_NOMAD_KEY"].encode()).decrypt(cipher.encode()).decode() == mario
    assert mario not in cams.log_text() and anna not in cams.log_text()
    cams.stop()


def test_a_changed_key_fails_the_upload_without_falling_back(cams_server_factory, nomad):
    cams = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_KEY": new_key()})
    rossi = cams.login("m.rossi")
    assert rossi.call("nomad_account", "save_nomad_token", nomad.mint_pat("mario"))["ok"]
    cams.stop()
    cams.env["CAMS_NOMAD_KEY"] = new_key()
    cams.start()
    rossi = cams.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    assert rossi.call("processes", "upload_fair", pid)["ok"] is True
    state = rossi.wait_status(pid, ("not uploaded", "processed", "failed"))
    assert state["status"] == "failed"
    assert "cannot be decrypted with the facility's current key" in state["message"]
    assert "m.rossi: save your NOMAD token again" in state["message"]
    assert nomad.stats()["routes"].get("POST /uploads", 0) == 0
    cams.stop()


def test_a_key_file_others_may_read_is_refused(cams_server_factory, nomad, tmp_path):
    key_file = tmp_path / "nomad.key"
    key_file.write_text(new_key() + "\n")
    key_file.chmod(0o644)
    cams = cams_server_factory(nomad=nomad, env={"CAMS_NOMAD_KEY": "",
                                                 "CAMS_NOMAD_KEY_FILE": str(key_file)})
    rossi = cams.login("m.rossi")
    shown = page(rossi)
    assert shown["available"] is False
    assert f"chmod 600 {key_file}" in shown["unavailable_reason"]
    saved = rossi.call("nomad_account", "save_nomad_token", nomad.mint_pat("mario"))
    assert saved["ok"] is False and "Nothing was saved" in saved["message"]
    key_file.chmod(0o600)
    assert rossi.call("nomad_account", "save_nomad_token", nomad.mint_pat("mario"))["ok"]
    cams.stop()


def test_the_key_comes_from_the_environment_or_a_private_file(tmp_path):
    with pytest.raises(AccountError, match="not set up"):
        facility_key({})
    with pytest.raises(AccountError, match="not a valid key"):
        facility_key({"CAMS_NOMAD_KEY": "short"})
    old, new = new_key(), new_key()
    sealed = Fernet(old.encode()).encrypt(b"nomad_pat_x")
    rotated = facility_key({"CAMS_NOMAD_KEY": f"{new}, {old}"})
    assert rotated.decrypt(sealed) == b"nomad_pat_x"  # old tokens still open
    assert Fernet(new.encode()).decrypt(rotated.encrypt(b"y")) == b"y"  # new ones use `new`
    key_file = tmp_path / "key"
    key_file.write_text(new)
    os.chmod(key_file, 0o640)
    with pytest.raises(AccountError, match="mode 0640"):
        facility_key({"CAMS_NOMAD_KEY_FILE": str(key_file)})
    os.chmod(key_file, 0o600)
    assert facility_key({"CAMS_NOMAD_KEY_FILE": str(key_file)}).decrypt(
        Fernet(new.encode()).encrypt(b"z")) == b"z"
    with pytest.raises(AccountError, match="cannot be read"):
        facility_key({"CAMS_NOMAD_KEY_FILE": str(tmp_path / "missing")})
