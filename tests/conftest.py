"""Test session setup: real PostgreSQL databases and a private Redis DB before any app import."""

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.infra import fresh_databases, private_redis_db
from tests.support.processes import free_port
from tests.support.tokens import test_key_env

# Fixtures shared across test modules, registered once rather than imported where they are used.
pytest_plugins = [
    "tests.support.accounts",
    "tests.support.scheduler",
    "tests.support.scheduler_race",
    "tests.support.services",
]

_stack = ExitStack()
if os.environ.get("COHORT_TEST_SQLITE"):
    _run = Path(os.environ.get("COHORT_TEST_SQLITE_DIR", ".run/test"))
    DATABASE_URLS = {
        s: f"sqlite:///{_run}/{s}.db" for s in ("accounts", "registry", "scheduler", "notifier")
    }
else:
    DATABASE_URLS = _stack.enter_context(fresh_databases("t"))
REDIS_URL = _stack.enter_context(private_redis_db())
ACCOUNTS_PORT = free_port()
# Where tests/support/services.py serves the other APIs, and so where the in-process portal calls.
API_URLS = {
    f"COHORT_{name}_URL": f"http://127.0.0.1:{free_port()}"
    for name in ("REGISTRY", "SCHEDULER", "NOTIFIER")
}

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
    "COHORT_ACCOUNTS_URL": f"http://127.0.0.1:{ACCOUNTS_PORT}",
    **API_URLS,
    **test_key_env(),
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
    """Authorization header of a named operator (valid for the whole session)."""
    from tests.support.tokens import next_person_id, sign

    claims = {"sub": str(next_person_id()), "sid": "session:test-operator", "name": "Olga"}
    return {"Authorization": f"Bearer {sign(claims | {'roles': [{'role': 'operator'}]}, ttl=3600)}"}


@pytest.fixture(scope="session")
def bootstrap_headers() -> dict[str, str]:
    """Authorization header carrying COHORT_ADMIN_TOKEN itself (only accounts' /token takes it)."""
    return {"Authorization": f"Bearer {TEST_ENV['COHORT_ADMIN_TOKEN']}"}


@pytest.fixture()
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder for child-process logs."""
    path = tmp_path / "logs"
    path.mkdir()
    yield path
