"""Faults around Upload FAIR (issue 6): nothing lost, nothing doubled, a clear status.

Each test drives a real jam.py server (sqlite) through `/api` against the NOMAD stand-in
and injects one fault: NOMAD down at the press, NOMAD going away mid-upload (the answer of
the creating POST lost; dropped connections while polling), a 503 storm with Retry-After,
the token expiring between upload and publish, processing that never ends, the CAMS
server killed mid-job, the disk full while writing the zip. Tests of findings in
docs/hardening-findings.md (F3, F4, F5, F5b; all fixed) guard their fixes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cams_module.api_collection import NomadClient, NomadConfig
from cams_module.nomad.errors import NomadTimeout
from tests.fixtures.cams_task import CamsCallError, nomad_env
from tests.fixtures.nomad_server import good_upload_zip
from tests.fixtures.postgres import free_port
from tests.hardening_scenarios import (
    DONE,
    TROUBLE,
    assert_processed,
    job_rows,
    log_rows,
    scenario_restart_mid_job,
    uploads_named,
    wait_state,
)

REPO = Path(__file__).resolve().parents[1]


def press(server, login: str, name: str) -> tuple[object, int, dict]:
    session = server.login(login)
    pid = session.process_id(name)
    reply = session.call("processes", "upload_fair", pid)
    return session, pid, reply


# -- the key scenarios run on PostgreSQL in test_postgres_task.py; on sqlite the button's
# own tests cover success/double press/re-upload, so only the restart runs here too -------
def test_cams_killed_while_nomad_processes_then_restarted(cams_server_factory,
                                                          nomad_server_factory):
    nomad = nomad_server_factory(processing_delay=2.0)
    scenario_restart_mid_job(cams_server_factory(nomad=nomad), nomad)


# -- NOMAD faults ------------------------------------------------------------------------
def test_nomad_down_at_the_press_fails_clearly_and_a_retry_uploads_once(
        cams_server_factory, nomad_server):
    down = {"NOMAD_URL": f"http://127.0.0.1:{free_port()}/api/v1"}
    server = cams_server_factory(env=down, nomad=nomad_server)
    session, pid, reply = press(server, "m.rossi", "Quick-Clean")
    assert reply["ok"] and reply["status"] == "queued", reply
    failed = session.wait_status(pid, DONE, timeout=90)
    assert failed["status"] == "failed" and not failed["busy"], failed
    assert "NOMAD" in failed["message"] and failed["can_upload"], failed
    assert [(r["action"], r["outcome"]) for r in log_rows(server, pid)] == [("upload", "failed")]
    assert [r["state"] for r in job_rows(server, pid)] == ["failed"]
    assert uploads_named(nomad_server, "Quick-Clean") == []

    server.stop()  # NOMAD is back: the same CAMS, pointed at a NOMAD that answers
    server.env.update(nomad_env(nomad_server))
    server.start()
    session = server.login("m.rossi")
    assert session.call("processes", "upload_fair", pid)["ok"]
    session.wait_status(pid, DONE)
    assert_processed(server, nomad_server, pid, "Quick-Clean")
    assert [r["outcome"] for r in log_rows(server, pid)] == ["failed", "processed"]


def test_answer_to_the_creating_post_lost_still_one_upload(cams_server, nomad_server):
    nomad_server.fault(match="POST /uploads", drop_connection="after")
    session, pid, reply = press(cams_server, "m.rossi", "Quick-Clean")
    assert reply["ok"], reply
    session.wait_status(pid, DONE)
    assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    assert nomad_server.stats()["routes"]["POST /uploads"] == 1
    assert [r["outcome"] for r in log_rows(cams_server, pid)] == ["processed"]


def test_nomad_drops_connections_while_processing(cams_server, nomad_server):
    nomad_server.fault(match="GET /uploads/*", drop_connection=True, times=3)
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    session.wait_status(pid, DONE)
    assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    assert [r["outcome"] for r in log_rows(cams_server, pid)] == ["processed"]


def test_503_storm_with_retry_after(cams_server, nomad_server):
    """Every request answered 503 + Retry-After a few times in a row: waited out."""
    nomad_server.fault(status=503, retry_after=0.2, times=3, detail="rate limited")
    nomad_server.fault(match="GET /uploads/*", status=503, retry_after=0.2, times=3)
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    session.wait_status(pid, DONE, timeout=90)
    assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    assert nomad_server.stats()["routes"]["POST /uploads"] == 1
    assert [r["outcome"] for r in log_rows(cams_server, pid)] == ["processed"]
    assert TROUBLE.findall(cams_server.all_logs()) == []


def test_503_storm_longer_than_the_retry_budget_fails_clearly_then_retry_works(
        cams_server, nomad_server):
    nomad_server.fault(status=503, retry_after=0.1, times=30, detail="rate limited")
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    failed = session.wait_status(pid, DONE, timeout=90)
    assert failed["status"] == "failed" and "503" in failed["message"], failed
    assert failed["can_upload"] and not failed["busy"]
    nomad_server.reset()
    assert session.call("processes", "upload_fair", pid)["ok"]
    session.wait_status(pid, DONE)
    assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    assert [r["outcome"] for r in log_rows(cams_server, pid)] == ["failed", "processed"]


def test_token_expires_between_upload_and_publish(cams_server, nomad_server):
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    session.wait_status(pid, DONE)
    processed = assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    nomad_server.fault(expire_tokens=True)
    steward = cams_server.login("steward")
    reply = steward.call("processes", "publish_fair", pid, 0)
    assert reply["ok"], reply
    published = steward.wait_status(pid, ("published", "processed", "failed"))
    assert published["status"] == "published", published
    held = uploads_named(nomad_server, "Quick-Clean")
    assert [(u["upload_id"], u["published"]) for u in held] == [(processed["upload_id"], True)]
    assert [(r["action"], r["outcome"]) for r in log_rows(cams_server, pid)] == \
        [("upload", "processed"), ("publish", "published")]


def test_processing_that_never_ends_times_out_in_the_client(nomad_server, tmp_path):
    """The client's deadline: a NomadTimeout naming the upload, not a hang."""
    nomad_server.fault(processing_never_ends=True)
    path = tmp_path / "x.zip"
    path.write_bytes(good_upload_zip(1))
    client = NomadClient(NomadConfig(url=nomad_server.url, username=nomad_server.username,
                                     password=nomad_server.password))
    with pytest.raises(NomadTimeout) as caught:
        client.upload_file(path, upload_name="never", deadline=1.5)
    assert caught.value.hint
    assert "still processing" in str(caught.value)
    assert len(uploads_named(nomad_server, "never")) == 1


def test_processing_that_never_ends_gives_a_clear_status_in_cams(cams_server_factory,
                                                                 nomad_server):
    nomad_server.fault(processing_never_ends=True)
    server = cams_server_factory(nomad=nomad_server,
                                 env={"NOMAD_PROCESSING_DEADLINE": "2"})
    session, pid, _ = press(server, "m.rossi", "Quick-Clean")
    state = session.wait_status(pid, DONE, timeout=8)
    assert state["status"] == "failed" and "processing" in state["message"]


def test_cams_killed_while_uploading_leaves_no_stuck_process(cams_server, nomad_server):
    """Web and worker killed while NOMAD receives the files: after the restart the job is
    taken over and ends processed with the one upload NOMAD received."""
    nomad_server.fault(match="POST /uploads", delay=4.0)
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    wait_state(session, pid, lambda s: s["status"] == "uploading")
    cams_server.kill()
    cams_server.start()
    session = cams_server.login("m.rossi")
    state = session.wait_status(pid, DONE)
    assert state["status"] == "processed" and not state["busy"], state
    assert len(uploads_named(nomad_server, "Quick-Clean")) == 1
    assert [(r["action"], r["outcome"]) for r in log_rows(cams_server, pid)] == \
        [("upload", "processed")]
    assert [r["state"] for r in job_rows(cams_server, pid)] == ["done"]


def test_cams_killed_while_uploading_then_pressed_again_one_upload(cams_server,  # F4
                                                                  nomad_server):
    nomad_server.fault(match="POST /uploads", delay=2.0)
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    wait_state(session, pid, lambda s: nomad_server.stats()["routes"].get("POST /uploads"))
    time.sleep(0.3)  # the small zip is on its way to NOMAD
    cams_server.kill()
    end = time.monotonic() + 15
    while not uploads_named(nomad_server, "Quick-Clean") and time.monotonic() < end:
        time.sleep(0.1)  # NOMAD finishes receiving the upload the dead CAMS sent
    assert len(uploads_named(nomad_server, "Quick-Clean")) == 1
    cams_server.start()
    session = cams_server.login("m.rossi")
    session.wait_status(pid, DONE)
    assert session.call("processes", "upload_fair", pid)["ok"]
    session.wait_status(pid, DONE)
    assert len(uploads_named(nomad_server, "Quick-Clean")) == 1


# -- disk full while writing the zip ---------------------------------------------------------
DISK_FULL = textwrap.dedent("""
    import json, resource, signal, sys
    sys.path.insert(0, {repo!r})
    from cams_module.export import export_process, write_zip
    document = json.loads({document!r})
    result = export_process(document)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    try:
        write_zip(result, {target!r})
    except Exception as err:
        print(type(err).__module__ + "." + type(err).__name__ + ": " + str(err))
        sys.exit(3)
    print("written")
""")


def _demo(name: str) -> dict:
    import json

    docs = json.loads((REPO / "task" / "demo" / "processes.json").read_text("utf-8"))
    return next(d for d in docs["processes"] if d["process"]["name"] == name)


def _write_zip_with_small_disk(tmp_path: Path) -> subprocess.CompletedProcess:
    import json

    target = tmp_path / "out" / "PicoTCDv3.zip"
    target.parent.mkdir()
    script = DISK_FULL.format(repo=str(REPO), document=json.dumps(_demo("PicoTCDv3")),
                              target=str(target))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)


def test_disk_full_while_writing_the_zip_leaves_no_partial_file(tmp_path):
    done = _write_zip_with_small_disk(tmp_path)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert list((tmp_path / "out").iterdir()) == []  # no zip, no temporary file


def test_disk_full_while_writing_the_zip_raises_our_own_error(tmp_path):
    done = _write_zip_with_small_disk(tmp_path)
    assert done.stdout.startswith("cams_module."), done.stdout
    assert "disk" in done.stdout.lower() or "space" in done.stdout.lower()


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 64 KiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill_leaving(mount: Path, free: int) -> None:
    """Fill the tmpfs so that about `free` bytes stay free (Python's tempfile still finds
    the folder writable, as it probes with a tiny file; a zip no longer fits)."""
    total = os.statvfs(mount).f_blocks * os.statvfs(mount).f_frsize
    (mount / "filler").write_bytes(b"x" * (total - free))


def _press_on_full_disk(cams_server_factory, nomad_server, mount: Path):
    _fill_leaving(mount, 4096)
    server = cams_server_factory(nomad=nomad_server, env={"TMPDIR": str(mount)})
    session = server.login("m.rossi")
    pid = session.process_id("PicoTCDv3")
    try:
        reply = session.call("processes", "upload_fair", pid)
    except CamsCallError as err:
        reply = {"ok": False, "status": None, "message": str(err), "server_error": True}
    return server, session, pid, reply


def test_disk_full_at_the_press_sends_nothing_and_leaves_no_zip(cams_server_factory,
                                                               nomad_server, tiny_tmpfs):
    server, session, pid, reply = _press_on_full_disk(cams_server_factory, nomad_server,
                                                      tiny_tmpfs)
    state = session.state(pid)
    assert not reply["ok"]
    assert state["status"] == "not uploaded" and not state["busy"], state
    assert uploads_named(nomad_server, "PicoTCDv3") == []
    assert not list(tiny_tmpfs.rglob("*.zip")) and not list(tiny_tmpfs.rglob("*.tmp"))
    assert job_rows(server, pid) == []


def test_disk_full_at_the_press_is_a_clear_logged_refusal(cams_server_factory, nomad_server,
                                                         tiny_tmpfs):
    server, session, pid, reply = _press_on_full_disk(cams_server_factory, nomad_server,
                                                      tiny_tmpfs)
    assert "server_error" not in reply, reply["message"]
    assert "disk" in reply["message"].lower() or "space" in reply["message"].lower()
    assert [r["action"] for r in log_rows(server, pid)] == ["upload"]
    assert [p.name for p in tiny_tmpfs.iterdir()] == ["filler"]


def test_publish_refused_by_nomad_returns_to_processed_and_can_be_pressed_again(
        cams_server, nomad_server):
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    session.wait_status(pid, DONE)
    processed = assert_processed(cams_server, nomad_server, pid, "Quick-Clean")
    nomad_server.fault(match="POST /uploads/*/action/publish", status=400,
                       detail="The upload cannot be published right now")
    steward = cams_server.login("steward")
    assert steward.call("processes", "publish_fair", pid, 0)["ok"]
    back = steward.wait_status(pid, ("processed", "published", "failed"))
    assert back["status"] == "processed" and not back["busy"], back
    assert "Publishing failed" in back["message"] and back["can_publish"], back
    assert back["upload_id"] == processed["upload_id"]
    assert steward.call("processes", "publish_fair", pid, 0)["ok"]
    assert steward.wait_status(pid, ("published", "failed"))["status"] == "published"
    held = uploads_named(nomad_server, "Quick-Clean")
    assert [(u["upload_id"], u["published"]) for u in held] == [(processed["upload_id"], True)]
    assert [(r["action"], r["outcome"]) for r in log_rows(cams_server, pid)] == \
        [("upload", "processed"), ("publish", "failed"), ("publish", "published")]


def test_publish_answered_500_once_is_checked_and_published_once(cams_server, nomad_server):
    session, pid, _ = press(cams_server, "m.rossi", "Quick-Clean")
    session.wait_status(pid, DONE)
    nomad_server.fault(match="POST /uploads/*/action/publish", status=500)
    steward = cams_server.login("steward")
    assert steward.call("processes", "publish_fair", pid, 0)["ok"]
    assert steward.wait_status(pid, ("published", "failed"))["status"] == "published"
    assert [u["published"] for u in uploads_named(nomad_server, "Quick-Clean")] == [True]
    assert [(r["action"], r["outcome"]) for r in log_rows(cams_server, pid)] == \
        [("upload", "processed"), ("publish", "published")]
