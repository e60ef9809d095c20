"""Root conftest: shared fixtures live in tests/fixtures/ (one module per area)."""

pytest_plugins = [
    "tests.fixtures.nomad_server",
    "tests.fixtures.cams_task",
    "tests.fixtures.browser",
    "tests.fixtures.postgres",
    "tests.fixtures.real_nomad",
    "tests.fixtures.redis_server",
]
