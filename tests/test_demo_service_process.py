"""Child servers of the demo: started, announced, forwarded, stopped."""

from __future__ import annotations

import sys

import pytest

from cams_module.demo.services import ServiceError, child_env, start_service

ANNOUNCER = (
    "import time\n"
    "print('starting up')\n"
    "print('toy listening on http://127.0.0.1:1234/x', flush=True)\n"
    "time.sleep(60)\n"
)


def test_start_service_reads_the_url_and_stop_ends_the_child():
    service = start_service("toy", [sys.executable, "-c", ANNOUNCER], env=child_env({}))
    try:
        assert service.url == "http://127.0.0.1:1234/x"
        assert service.running()
    finally:
        service.stop(timeout=5)
    assert not service.running()
    assert service.process.returncode is not None


def test_a_child_that_exits_early_is_reported_with_its_output():
    with pytest.raises(ServiceError) as err:
        start_service("broken",
                      [sys.executable, "-c", "print('port is taken'); raise SystemExit(3)"],
                      env=child_env({}))
    assert "broken did not start (it exited)" in str(err.value)
    assert "port is taken" in str(err.value)


def test_a_silent_child_times_out_and_is_stopped():
    with pytest.raises(ServiceError) as err:
        start_service("silent", [sys.executable, "-c", "import time; time.sleep(60)"],
                      env=child_env({}), timeout=1)
    assert "no answer in 1 s" in str(err.value)


def test_child_env_adds_values_and_unbuffered_output():
    env = child_env({"NOMAD_URL": "http://127.0.0.1:1/api/v1"})
    assert env["NOMAD_URL"] == "http://127.0.0.1:1/api/v1"
    assert env["PYTHONUNBUFFERED"] == "1"
