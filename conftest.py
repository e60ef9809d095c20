"""Root conftest: shared fixtures live in tests/fixtures/ (one module per area)."""

pytest_plugins = [
    "tests.fixtures.nomad_server",
    "tests.fixtures.cams_task",
    "tests.fixtures.browser",
    "tests.fixtures.postgres",
    "tests.fixtures.redis_server",
]
