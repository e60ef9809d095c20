"""Load (issue 6): 20 users press Upload FAIR on 50 different processes at once.

Two gunicorn web processes and two NOMAD worker processes on one sqlite database, against
the local NOMAD stand-in: every process ends processed, NOMAD holds exactly one
upload per process, every status, step entry, job and upload log row is written, and the
web and worker processes logged no database lock error. Correctness only; the button latency is
printed by `python -m benchmarks.bench_load` (and `./run bench`). The same scenario on
PostgreSQL is in tests/test_postgres_task.py.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_load import extend_task
from tests.fixtures.cams_task import CamsServer, nomad_env
from tests.hardening_scenarios import check_load

USERS, PROCESSES = 20, 50


@pytest.fixture(scope="module")
def load_nomad(nomad_server_factory):
    """A stand-in that allows many unpublished uploads (NOMAD's limit is 10 per user)."""
    return nomad_server_factory(processing_delay=0.2, extra_args=["--upload-limit", "100000"])


def test_twenty_users_fifty_processes_two_web_two_workers_sqlite(cams_task_build, load_nomad,
                                                                 tmp_path):
    task = extend_task(cams_task_build, tmp_path / "loaded", USERS, PROCESSES)
    assert len(set(task.owners.values())) == USERS
    server = CamsServer(task.build, tmp_path / "server",
                        {**nomad_env(load_nomad), "CAMS_NOMAD_WORKERS": "2"},
                        workers=2, web_workers=2)  # two gunicorn web processes, two workers
    try:
        check_load(server, load_nomad, task.owners, task.names)
    finally:
        server.stop()
