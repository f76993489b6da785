"""Test session setup: real PostgreSQL databases and a private Redis DB before any app import."""

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.infra import fresh_databases, private_redis_db

# Fixtures shared across test modules, registered once rather than imported where they are used.
pytest_plugins = ["tests.support.scheduler", "tests.support.scheduler_race"]

_stack = ExitStack()
if os.environ.get("COHORT_TEST_SQLITE"):
    _run = Path(os.environ.get("COHORT_TEST_SQLITE_DIR", ".run/test"))
    DATABASE_URLS = {
        s: f"sqlite:///{_run}/{s}.db" for s in ("accounts", "registry", "scheduler", "notifier")
    }
else:
    DATABASE_URLS = _stack.enter_context(fresh_databases("t"))
REDIS_URL = _stack.enter_context(private_redis_db())

TEST_ENV = {
    "COHORT_ENV": "test",
    "COHORT_ADMIN_TOKEN": "test-admin-token-0123456789",
    "COHORT_SECRET_KEY": "test-secret-key-0123456789abcdef",
    "COHORT_REDIS_URL": REDIS_URL,
    "ACCOUNTS_DATABASE_URL": DATABASE_URLS["accounts"],
    "REGISTRY_DATABASE_URL": DATABASE_URLS["registry"],
    "SCHEDULER_DATABASE_URL": DATABASE_URLS["scheduler"],
    "NOTIFIER_DATABASE_URL": DATABASE_URLS["notifier"],
    "COHORT_VISIBILITY_TIMEOUT": "20",
    "COHORT_OUTBOX_RELAY_INTERVAL": "0.5",
    "COHORT_OUTBOX_RELAY_AGE": "1.0",
    "COHORT_MAX_DELIVERIES": "4",
    "COHORT_LOG_JSON": "true",
}
os.environ.update(TEST_ENV)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the session's databases and release its Redis DB."""
    from shared.db import engine_for

    for url in DATABASE_URLS.values():
        engine_for(url).dispose()
    _stack.close()


@pytest.fixture(scope="session")
def test_env() -> dict[str, str]:
    """Environment a child process needs to join this test session's databases and Redis."""
    return dict(TEST_ENV)


@pytest.fixture(scope="session")
def admin_headers() -> dict[str, str]:
    """Authorization header of the operator."""
    return {"Authorization": f"Bearer {TEST_ENV['COHORT_ADMIN_TOKEN']}"}


@pytest.fixture()
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder for child-process logs."""
    path = tmp_path / "logs"
    path.mkdir()
    yield path
