"""Root conftest: shared fixtures live in tests/fixtures/ (one module per area)."""

import pytest

pytest_plugins = [
    "tests.fixtures.child_processes",  # SIGTERM ends a run like Ctrl-C; no leftovers
    "tests.fixtures.nomad_server",
    "tests.fixtures.cams_task",
    "tests.fixtures.browser",
    "tests.fixtures.postgres",
    "tests.fixtures.real_nomad",
    "tests.fixtures.redis_server",
]

#: fixtures that build or run the CAMS jam.py task: their tests are marked `jam`
JAM_FIXTURES = {"cams_task_build", "cams_task_copy", "cams_server_factory", "cams_server",
                "demo_task_template", "running_demo", "demo_factory", "postgres_cluster"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that builds or runs the CAMS task `jam` (CI runs those on jam.py 5
    and on jam.py 7: `./run test --jam 7 -m jam`)."""
    for item in items:
        if JAM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.jam)
