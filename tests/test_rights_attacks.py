"""The attack suite of issue 10: every attack through jam.py's real HTTP `/api`, as a
Researcher, as Guest and as an anonymous client, on sqlite and on PostgreSQL.

Each test is one row of the attack table in docs/rights.md. One CAMS server per database
(module scope) serves all of them; each test works on its own demo process or checks only
what it changed. The browser side is tests/e2e/test_rights_ui.py.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest
import requests

from cams_module.export import export_process
from tests import rights_client as rc
from tests.fixtures.cams_task import JAM_MAJOR, CamsServer, build_for_backend, nomad_env

ROOT = Path(__file__).resolve().parents[1]

PENDING = ("queued", "uploading", "processing")


def demo_document(name: str) -> dict:
    """The demo task's process document named ``name`` (task/demo/processes.json)."""
    demo = json.loads((ROOT / "task" / "demo" / "processes.json").read_text(encoding="utf-8"))
    docs = demo if isinstance(demo, list) else demo.get("processes", [demo])
    return next(d for d in docs if d["process"]["name"] == name)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def srv(request, cams_task_build, nomad_server_session, tmp_path_factory):
    """A CAMS server on a fresh copy of the demo, on sqlite or on PostgreSQL."""
    build, _ = build_for_backend(request, cams_task_build,
                                 tmp_path_factory.mktemp("rights-pg") / "task")
    nomad_server_session.reset()
    server = CamsServer(build, tmp_path_factory.mktemp("rights") / "task",
                        nomad_env(nomad_server_session))
    yield server
    server.stop()


def log_rows(server, process_id=None):
    rows = server.login("admin").rows(
        "upload_log", ["process", "user_login", "action", "outcome", "message", "errors"])
    return [r for r in rows if r["process"] == process_id]


# -- 1. a scientist edits any step; a worker's write-back is never overwritten -------------
def test_owner_edits_an_existing_step_and_it_is_stored(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("PicoTCDv3")
    step = rc.stored_steps(rossi, pid)[2]
    assert rc.edit_step(rossi, pid, step, operator="fixed by m.rossi", name="Renamed") is None
    again = [s for s in rc.stored_steps(rossi, pid) if s["id"] == step["id"]][0]
    assert (again["operator"], again["name"]) == ("fixed by m.rossi", "Renamed")
    assert again["master_rec_id"] == pid


def test_saving_a_stale_form_keeps_what_the_worker_wrote(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("Quick-Clean")
    stale = rc.stored_steps(rossi, pid)[0]  # read before the upload: no entry id yet
    process = rc.stored_process(rossi, pid)
    assert rossi.call("processes", "upload_fair", pid)["ok"]
    done = rossi.wait_status(pid, ("processed", "failed"))
    assert done["status"] == "processed", done
    assert rc.edit_step(rossi, pid, stale, operator="late edit") is None
    assert rc.save(rossi, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, notes="late note"), {})]) is None
    after = rc.stored_process(rossi, pid)
    assert (after["nomad_status"], after["nomad_upload_id"]) == ("processed",
                                                                 done["upload_id"])
    assert after["notes"] == "late note"
    step = [s for s in rc.stored_steps(rossi, pid) if s["id"] == stale["id"]][0]
    assert step["operator"] == "late edit" and step["nomad_entry_id"], step


# -- 2. anyone can take a process -------------------------------------------------------------
def test_researcher_cannot_make_himself_owner_of_another_process(srv):
    bianchi = srv.login("a.bianchi")
    pid = bianchi.process_id("SiN-Waveguide-07")  # l.verdi's
    process = rc.stored_process(bianchi, pid)
    error = rc.save(bianchi, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, owner_login="a.bianchi"), {})])
    assert "a.bianchi may not change process 'SiN-Waveguide-07'" in error
    assert rc.stored_process(bianchi, pid)["owner_login"] == "l.verdi"
    reply = bianchi.call("processes", "upload_fair", pid)
    assert not reply["ok"] and "a.bianchi may not upload" in reply["message"]
    assert log_rows(srv, pid)[-1]["outcome"] == "refused"


def test_researcher_cannot_give_away_his_own_process(srv):
    bianchi = srv.login("a.bianchi")
    pid = bianchi.process_id("MEMS-Gyro-B2")  # a.bianchi's own
    process = rc.stored_process(bianchi, pid)
    error = rc.save(bianchi, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, owner_login="m.rossi"), {})])
    assert "a.bianchi may not change the owner of process 'MEMS-Gyro-B2'" in error
    assert rc.stored_process(bianchi, pid)["owner_login"] == "a.bianchi"


def test_steward_changes_the_owner_and_it_is_logged_old_and_new(srv):
    steward = srv.login("steward")
    pid = steward.process_id("MEMS-Gyro-B2")
    process = rc.stored_process(steward, pid)
    assert rc.save(steward, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, owner_login="l.verdi"), {})]) is None
    assert rc.stored_process(steward, pid)["owner_login"] == "l.verdi"
    last = log_rows(srv, pid)[-1]
    assert (last["user_login"], last["action"], last["outcome"]) == ("steward", "owner",
                                                                     "changed")
    assert "from a.bianchi to l.verdi" in last["message"]
    assert rc.save(steward, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        rc.stored_process(steward, pid), owner_login="a.bianchi"), {})]) is None


def test_a_new_process_belongs_to_whoever_creates_it(srv):
    bianchi = srv.login("a.bianchi")
    values = rc.process_values({"id": None, "name": "Planted-Owner",
                                "owner_login": "l.verdi", "nomad_status": "published",
                                "nomad_link": "https://evil.example/x",
                                "nomad_upload_id": "stolen"})
    assert rc.save(bianchi, "processes", rc.PROCESS_FIELDS, [(rc.INSERT, values, {})]) is None
    (row,) = [r for r in bianchi.rows("processes", rc.PROCESS_FIELDS[1:])
              if r["name"] == "Planted-Owner"]
    assert row["owner_login"] == "a.bianchi"
    assert "owner 'l.verdi' sent by a.bianchi dropped" in srv.log_text()
    assert (row["nomad_status"], row["nomad_link"], row["nomad_upload_id"]) == \
        ("not uploaded", None, None)
    assert "values sent by a.bianchi for nomad_status, nomad_upload_id, nomad_link " \
        "dropped" in srv.log_text()


# -- 3. export has no right / public zips -------------------------------------------------
def test_guest_never_exports_and_the_refusal_is_logged(srv):
    guest = srv.login("guest")
    pid = guest.process_id("Quick-Clean")
    reply = guest.call("processes", "export_zip", pid)
    assert not reply["ok"] and "guest may not export process 'Quick-Clean'" in reply["message"]
    assert "zip_base64" not in reply
    last = log_rows(srv, pid)[-1]
    assert (last["user_login"], last["action"], last["outcome"]) == ("guest", "export",
                                                                     "refused")
    assert "guest may not export" in last["message"]


def test_researcher_cannot_export_another_researchers_process(srv):
    bianchi = srv.login("a.bianchi")
    pid = bianchi.process_id("PicoTCDv3")
    reply = bianchi.call("processes", "export_zip", pid)
    assert not reply["ok"] and "a.bianchi may not export" in reply["message"]
    assert log_rows(srv, pid)[-1]["action"] == "export"


def test_the_zip_goes_to_the_asking_session_only_and_nothing_stays_on_disk(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("PicoTCDv3")
    reply = rossi.call("processes", "export_zip", pid)
    assert reply["ok"], reply
    content = base64.b64decode(reply["zip_base64"])
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    expected = export_process(demo_document("PicoTCDv3")).archives
    # the same archives (by step position; other attacks may have renamed a step)
    assert sorted(n.split("_")[0] for n in names) == sorted(n.split("_")[0] for n in expected)
    assert all(n.endswith(".archive.json") for n in names)
    assert "url" not in reply
    assert not (srv.folder / "static" / "exports").exists()
    assert list((srv.folder / "private" / "exports").iterdir()) == []
    anonymous = requests.get(f"{srv.url}static/exports/", timeout=10)
    assert anonymous.status_code == 404 or b"PK" not in anonymous.content


# -- 4. NOMAD fields planted by a client ---------------------------------------------------
def test_a_new_step_never_keeps_a_planted_nomad_link(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("Faulty-Demo")
    types = rossi.rows("step_types", ["name"])
    assert rc.insert_step(rossi, pid, position=9, step_type=types[0]["id"], name="Planted",
                          nomad_entry_id="fake", nomad_entry_link="https://evil.example/e"
                          ) is None
    (step,) = [s for s in rc.stored_steps(rossi, pid) if s["name"] == "Planted"]
    assert (step["nomad_entry_id"], step["nomad_entry_link"]) == (None, None)
    assert "new step of process 'Faulty-Demo': values sent by m.rossi for nomad_entry_id, " \
        "nomad_entry_link dropped" in srv.log_text()


def test_an_edited_step_or_process_never_takes_planted_nomad_values(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("Faulty-Demo")
    step = rc.stored_steps(rossi, pid)[0]
    assert rc.edit_step(rossi, pid, step, nomad_entry_link="https://evil.example/s") is None
    assert [s for s in rc.stored_steps(rossi, pid)
            if s["id"] == step["id"]][0]["nomad_entry_link"] is None
    process = rc.stored_process(rossi, pid)
    assert rc.save(rossi, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, nomad_status="published", nomad_link="https://evil.example/p"), {})]) is None
    after = rc.stored_process(rossi, pid)
    assert (after["nomad_status"], after["nomad_link"]) == (process["nomad_status"],
                                                            process["nomad_link"])
    assert f"process {pid}: values sent by m.rossi for nomad_status, nomad_link dropped" \
        in srv.log_text()


# -- coerced ids, other users' ids, other processes' steps ----------------------------------
def test_a_step_of_another_process_cannot_be_pulled_into_mine(srv):
    bianchi = srv.login("a.bianchi")
    mine = bianchi.process_id("MEMS-Gyro-B2")
    theirs = bianchi.process_id("SiN-Waveguide-07")
    victim = rc.stored_steps(bianchi, theirs)[0]
    error = rc.edit_step(bianchi, mine, victim, name="stolen")
    assert f"Step {victim['id']} is not a step of process 'MEMS-Gyro-B2'" in error
    after = [s for s in rc.stored_steps(bianchi, theirs) if s["id"] == victim["id"]][0]
    assert after == victim


def test_researcher_cannot_edit_insert_or_delete_steps_of_another_process(srv):
    bianchi = srv.login("a.bianchi")
    pid = bianchi.process_id("SiN-Waveguide-07")
    step = rc.stored_steps(bianchi, pid)[1]
    assert "a.bianchi may not change process" in rc.edit_step(bianchi, pid, step, name="x")
    types = bianchi.rows("step_types", ["name"])
    assert "may not insert or delete steps" in rc.insert_step(
        bianchi, pid, position=99, step_type=types[0]["id"], name="intruder")
    detail = {str(rc.steps_detail_id(srv)): rc.changes(
        rc.STEP_FIELDS, [(rc.DELETE, rc.step_values(step), {})])}
    error = rc.save(bianchi, "processes", rc.PROCESS_FIELDS, [(rc.DETAILS, rc.process_values(
        rc.stored_process(bianchi, pid)), detail)])
    assert "may not insert or delete steps" in error
    assert len(rc.stored_steps(bianchi, pid)) == 11


@pytest.mark.parametrize("bad_id", ["1 OR 1=1", "5", 1.5, True, -3, 10**30])
def test_coerced_record_ids_are_refused(srv, bad_id):
    steward = srv.login("steward")
    pid = steward.process_id("PicoTCDv3")
    process = rc.stored_process(steward, pid)
    error = rc.save(steward, "processes", rc.PROCESS_FIELDS, [(rc.MODIFY, rc.process_values(
        process, id=bad_id, notes="coerced"), {})])
    assert error and ("not a record id" in error or "no process with id" in error), error
    assert all(r["notes"] != "coerced" for r in steward.rows("processes", ["notes"]))


def test_guest_and_researcher_cannot_delete_or_change_what_is_not_theirs(srv):
    guest = srv.login("guest")
    pid = guest.process_id("PicoTCDv3")
    process = rc.stored_process(guest, pid)
    assert "guest may not delete" in rc.save(guest, "processes", rc.PROCESS_FIELDS, [
        (rc.DELETE, rc.process_values(process), {})])
    assert "guest may not add processes" in rc.save(guest, "processes", rc.PROCESS_FIELDS, [
        (rc.INSERT, rc.process_values({"name": "guest's"}), {})])
    bianchi = srv.login("a.bianchi")
    assert "a.bianchi may not delete" in rc.save(bianchi, "processes", rc.PROCESS_FIELDS, [
        (rc.DELETE, rc.process_values(process), {})])
    assert rc.stored_process(guest, pid)["name"] == "PicoTCDv3"
    types = bianchi.rows("step_types", ["name"])
    assert "may not change the step types catalogue" in rc.save(
        bianchi, "step_types", ["id", "name"], [(rc.MODIFY, [types[0]["id"], "Hacked"], {})])


def test_steps_journal_and_log_cannot_be_written_directly(srv):
    admin = srv.login("admin")
    pid = admin.process_id("PicoTCDv3")
    step = rc.stored_steps(admin, pid)[0]
    error = rc.save(admin, "steps", rc.STEP_FIELDS, [(rc.MODIFY, rc.step_values(
        step, name="direct"), {})])
    assert "Steps are saved with their process" in error
    assert "may not change records of NOMAD jobs" in rc.save(
        admin, "nomad_jobs", ["id", "state"], [(rc.INSERT, [None, "queued"], {})])


# -- 6. refusals leave a trace; the journal of jobs is internal ------------------------------
def test_every_refused_press_is_an_upload_log_row(srv):
    rossi = srv.login("m.rossi")
    pid = rossi.process_id("PicoTCDv3")
    assert rossi.call("processes", "upload_fair", pid)["ok"]
    busy = rossi.call("processes", "upload_fair", pid)
    bianchi = srv.login("a.bianchi")
    refused = bianchi.call("processes", "upload_fair", pid)
    rossi.wait_status(pid, ("processed", "failed"))
    assert not busy["ok"] and "already under way" in busy["message"]
    assert not refused["ok"]
    rows = [(r["user_login"], r["action"], r["outcome"]) for r in log_rows(srv, pid)]
    assert ("m.rossi", "upload", "refused") in rows
    assert ("a.bianchi", "upload", "refused") in rows
    state = rossi.state(pid)
    assert not any("a.bianchi" in str(e) for e in state["errors"]), state
    unknown = rossi.call("processes", "publish_fair", 987654, 0)
    assert "There is no process with id 987654" in unknown["message"]
    orphan = log_rows(srv, None)[-1]
    assert (orphan["user_login"], orphan["action"], orphan["outcome"]) == \
        ("m.rossi", "publish", "refused")
    assert "987654" in orphan["message"]


def test_jobs_journal_is_for_administrators_and_the_log_not_for_guests(srv):
    for login in ("m.rossi", "steward", "guest"):
        with pytest.raises(Exception, match="NOMAD jobs: you are not allowed to view"):
            srv.login(login).rows("nomad_jobs", ["payload", "worker"])
    with pytest.raises(Exception, match="NOMAD upload log: you are not allowed to view"):
        srv.login("guest").rows("upload_log", ["user_login"])
    assert srv.login("admin").rows("nomad_jobs", ["worker"]) is not None
    assert srv.login("m.rossi").rows("upload_log", ["user_login"]) is not None


def test_state_tells_the_client_which_buttons_to_grey_out_and_why(srv):
    guest = srv.login("guest")
    pid = guest.process_id("SiN-Waveguide-07")
    state = guest.state(pid)
    assert not (state["can_upload"] or state["can_export"] or state["can_publish"])
    assert "guest may not upload" in state["why_not"]["upload"]
    rossi = srv.login("m.rossi").state(pid)
    assert "only its owner (l.verdi" in rossi["why_not"]["upload"]
    assert srv.login("l.verdi").state(pid)["can_upload"] is True
    rights = srv.login("m.rossi").call("processes", "my_rights")["rights"]
    assert rights["change_owner"] is None and rights["upload"] == "own processes"


# -- calls without a session ----------------------------------------------------------------
@pytest.mark.parametrize("payload", [
    ["server", "task", "processes", ["upload_fair", [1]], 0],
    ["server", "task", "processes", ["export_zip", [1]], 0],
    ["server", "task", "processes", ["publish_fair", [1, 0]], 0],
    ["open", "task", "nomad_jobs", {"__expanded": False, "__offset": 0, "__limit": 0,
                                    "__fields": ["id"], "__filters": [], "__order": []}, 0],
    ["apply", "task", "processes", [rc.changes(["id", "owner_login"], [
        (rc.MODIFY, [1, "anonymous"], {})]), {}], 0],
], ids=["upload", "export", "publish", "read-jobs", "change-owner"])
def test_calls_without_a_session_are_refused(srv, payload):
    method, _task, item, params, mod = payload
    reply = rc.raw(srv, [method, srv.task_id, srv.items[item], params, mod])
    # jam.py's "not logged in" (status 5); jam.py 5 repeats it as the data, 7 sends none
    assert reply["result"]["status"] == 5, reply
    assert reply["result"]["data"] == (5 if JAM_MAJOR < 7 else None), reply
    assert rc.stored_process(srv.login("admin"), 1)["owner_login"] == "m.rossi"
