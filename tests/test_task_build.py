"""task/build.py: the CAMS jam.py task built from text (items, modules, users, demo data)."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
import requests

from cams_module.cams2nomad.field_catalogue import load_catalogue
from tests.fixtures.cams_task import REPO, build_task, jam_login

STEP_TYPES = load_catalogue()
DEMO = json.loads((REPO / "task" / "demo" / "processes.json").read_text())["processes"]


def test_build_writes_a_jam_project_with_the_task_database(cams_task_build):
    folder = cams_task_build.path
    assert (folder / "admin.sqlite").is_file()
    info = cams_task_build.info
    assert info["task"] == "cams"
    assert set(info["items"]) == {"step_types", "processes", "steps", "upload_log",
                                  "nomad_jobs", "nomad_account"} | {
                                      t.item_name for t in STEP_TYPES}
    assert info["processes"] == len(DEMO)


def test_demo_users_file_is_private_and_passwords_are_not_in_the_sources(cams_task_build):
    users_file = cams_task_build.path / "demo-users.json"
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    sources = "".join(p.read_text(errors="replace") for p in (REPO / "task").rglob("*")
                      if p.is_file())
    for login, password in cams_task_build.users.items():
        assert len(password) >= 8
        assert password not in sources, login
    assert {"admin", "steward", "m.rossi", "guest"} <= set(cams_task_build.users)


def test_modules_are_stored_where_the_application_builder_reads_them(cams_task_build):
    with sqlite3.connect(cams_task_build.path / "admin.sqlite") as db:
        rows = dict(db.execute("SELECT F_ITEM_NAME, F_SERVER_MODULE FROM SYS_ITEMS"))
        safe_mode = db.execute("SELECT F_SAFE_MODE FROM SYS_PARAMS").fetchone()[0]
    assert "def upload_fair(item, process_id)" in rows["processes"]
    assert "def on_login(task, form_data, info)" in rows["cams"]
    assert safe_mode == 1


def test_catalogue_holds_every_step_type_and_the_demo_uses_them_all(cams_server_factory):
    server = cams_server_factory()
    try:
        session = server.login("admin")
        types = {r["id"]: r["name"] for r in session.rows("step_types", ["name"])}
        used = {types[r["step_type"]] for r in session.rows("steps", ["step_type"])}
    finally:
        server.stop()
    assert len(STEP_TYPES) == 30
    assert set(types.values()) == {t.name for t in STEP_TYPES}
    assert used == set(types.values())


@pytest.mark.jam
def test_demo_password_from_the_environment(tmp_path):
    build = build_task(tmp_path / "task", ["--no-demo"], env={"CAMS_DEMO_PASSWORD": "s3cret-demo"})
    assert set(build.users.values()) == {"s3cret-demo"}
    assert build.info["processes"] == 0


def test_safe_mode_refuses_calls_without_login(cams_server_factory):
    server = cams_server_factory()
    try:
        reply = requests.post(f"{server.url}api", timeout=30, data=json.dumps(
            ["server", server.task_id, server.items["processes"], ["nomad_state", [1]], 0]))
        assert reply.json()["result"]["status"] == 5  # jam.py: PROJECT_NOT_LOGGED
        assert not jam_login(requests.Session(), server.url, server.task_id, "m.rossi", "wrong")
        session = server.login("guest")
        assert session.process_id("PicoTCDv3") > 0
    finally:
        server.stop()


def test_roles_rights_are_enforced_on_the_server(cams_server_factory):
    server = cams_server_factory()
    try:
        guest = server.login("guest")
        pid = guest.process_id("Quick-Clean")
        reply = guest.apply_modified("processes", pid, ["name"], ["Quick-Clean"], ["Renamed"])
        assert "guest may not change process 'Quick-Clean'" in reply["error"]
        assert guest.rows("processes", ["name"], id=pid)[0]["name"] == "Quick-Clean"
    finally:
        server.stop()


def test_build_is_readable_by_its_owner_only(cams_task_build):
    folder = cams_task_build.path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for database in folder.glob("*.sqlite"):
        assert stat.S_IMODE(database.stat().st_mode) == 0o600, database.name


def test_each_step_type_is_an_item_with_typed_columns_named_as_in_cams(cams_task_build):
    """One detail item per step type; numbers are floats labelled with their unit,
    durations short texts, yes/no booleans; field names are the CAMS names (typos too)."""
    with sqlite3.connect(cams_task_build.path / "admin.sqlite") as db:
        items = dict(db.execute("SELECT F_ITEM_NAME, ID FROM SYS_ITEMS WHERE TYPE_ID=12"))
        fields = {(row[0], row[1]): (row[2], row[3]) for row in db.execute(
            "SELECT I.F_ITEM_NAME, F.F_FIELD_NAME, F.F_DATA_TYPE, F.F_NAME FROM SYS_FIELDS F "
            "JOIN SYS_ITEMS I ON I.ID = F.OWNER_REC_ID")}
    assert all(t.item_name in items for t in STEP_TYPES)
    assert fields[("s_rie_plasmapro", "depth_IN")] == (3, "depth_IN (µm)")
    assert fields[("s_rie_plasmapro", "time_IN")] == (1, "time_IN (H:M:S)")
    assert fields[("s_labeling_and_cleaning", "wafers_lables")] == (1, "wafers_lables")
    assert fields[("s_labeling_and_cleaning", "Ultrasound")][0] == 7
    assert fields[("s_starting_materials", "Wafer_n")][0] == 2
    for step_type in STEP_TYPES:
        assert {f.name for f in step_type.fields} <= {
            name for item, name in fields if item == step_type.item_name}
