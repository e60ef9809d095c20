"""The CAMS task on PostgreSQL (issue 6): the key Upload FAIR scenarios and the load.

The task is built with `task/build.py --db-type postgres …` (Contract 8) into a throwaway
cluster on 127.0.0.1 (`tests/fixtures/postgres.py`); each test starts its own jam.py
server on that build and works on its own demo process. The same scenarios run on sqlite
in tests/test_hardening_faults.py and tests/test_load_upload_fair.py.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.bench_load import extend_task, load_document
from tests.fixtures.cams_task import CamsServer, build_task, nomad_env, run_in_task
from tests.hardening_scenarios import (
    check_load,
    scenario_double_press,
    scenario_publish,
    scenario_restart_mid_job,
    scenario_reupload,
    scenario_simultaneous_presses,
    scenario_success,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_build(postgres_cluster, tmp_path_factory):
    """The CAMS task with demo data built into a fresh PostgreSQL database."""
    database = postgres_cluster.create_database()
    args, env = postgres_cluster.build_args(database)
    build = build_task(tmp_path_factory.mktemp("pg-build") / "task", args, env)
    build.database = database
    return build


@pytest.fixture
def pg_server(pg_build, nomad_server, tmp_path):
    """A jam.py server on the PostgreSQL build, against the reset stand-in."""
    server = CamsServer(pg_build, tmp_path / "task", nomad_env(nomad_server))
    yield server
    server.stop()


def test_build_put_the_task_tables_in_postgres(pg_build, postgres_cluster):
    con = postgres_cluster.connect(pg_build.database["database"])
    try:
        cursor = con.cursor()
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public'")
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM cams_processes")
        processes = cursor.fetchone()[0]
    finally:
        con.close()
    assert {"cams_processes", "cams_steps", "cams_upload_log", "cams_nomad_jobs"} <= tables
    assert processes == 5
    assert not any(pg_build.path.glob("*.sqlite")) or \
        not (pg_build.path / "cams.sqlite").exists()


def test_success_on_postgres(pg_server, nomad_server):
    scenario_success(pg_server, nomad_server)


def test_double_press_on_postgres(pg_server, nomad_server):
    scenario_double_press(pg_server, nomad_server)


def test_reupload_updates_the_same_upload_on_postgres(pg_server, nomad_server):
    scenario_reupload(pg_server, nomad_server)


def add_process(build, name: str, owner: str = "m.rossi") -> int:
    """A two-step process of its own in the PostgreSQL build (tests share the database)."""
    document = load_document(1, owner)
    document["process"]["name"] = name
    return run_in_task(build.path, "from cams_module.lims.writer import "
                       "write_process_document\nresult = write_process_document(task, "
                       f"json.loads({json.dumps(document)!r}))")


def test_simultaneous_presses_on_postgres(pg_build, pg_server, nomad_server):
    add_process(pg_build, "Race-PG")
    scenario_simultaneous_presses(pg_server, nomad_server, name="Race-PG")


def test_publish_on_postgres(pg_build, pg_server, nomad_server):
    add_process(pg_build, "Publish-PG")
    scenario_publish(pg_server, nomad_server, name="Publish-PG")


def test_success_through_the_unix_socket(postgres_cluster, nomad_server, tmp_path):
    """PostgreSQL on the same host, reached through its socket folder as `--db-host`
    (the plug-in guide's advice): the task builds, jam.py, the button, the worker's
    claim in one statement and its write-back all use it."""
    database = postgres_cluster.create_database()
    args, env = postgres_cluster.build_args(database, socket=True)
    assert args[args.index("--db-host") + 1] == str(postgres_cluster.folder)
    build = build_task(tmp_path / "build", args, env)
    server = CamsServer(build, tmp_path / "task", nomad_env(nomad_server))
    try:
        scenario_success(server, nomad_server)
        con = postgres_cluster.connect(database["database"])
        try:
            cursor = con.cursor()
            cursor.execute("SELECT count(*), count(client_addr) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()",
                           (database["database"],))
            sessions, over_tcp = cursor.fetchone()
        finally:
            con.close()
        assert sessions > 0 and over_tcp == 0  # CAMS's own sessions: the socket only
    finally:
        server.stop()


def test_restart_mid_job_on_postgres(pg_build, nomad_server_factory, tmp_path):
    nomad = nomad_server_factory(processing_delay=2.0)
    server = CamsServer(pg_build, tmp_path / "task", nomad_env(nomad))
    try:
        scenario_restart_mid_job(server, nomad)
    finally:
        server.stop()


def test_twenty_users_fifty_processes_two_web_two_workers_on_postgres(postgres_cluster,
                                                                       nomad_server_factory,
                                                                       tmp_path):
    database = postgres_cluster.create_database()
    args, env = postgres_cluster.build_args(database)
    build = build_task(tmp_path / "build", [*args, "--no-demo"], env)
    task = extend_task(build, None, users=20, processes=50)
    nomad = nomad_server_factory(processing_delay=0.2, extra_args=["--upload-limit", "100000"])
    server = CamsServer(task.build, tmp_path / "server",
                        {**nomad_env(nomad), "CAMS_NOMAD_WORKERS": "2"},
                        workers=2, web_workers=2)  # two gunicorn web processes, two workers
    try:
        check_load(server, nomad, task.owners, task.names)
    finally:
        server.stop()
