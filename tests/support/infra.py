"""Real PostgreSQL databases and a private Redis DB index for one test session."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import redis

SERVICES = ("accounts", "registry", "scheduler", "notifier")
PG_ADMIN_URL = os.environ.get("COHORT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("COHORT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_LOCK_KEY = "cohort:test-session-lock"


def _admin_connection(admin_url: str) -> psycopg.Connection:
    return psycopg.connect(admin_url, autocommit=True)


def database_url(name: str, admin_url: str = PG_ADMIN_URL) -> str:
    """URL of a database on the test server (or on the server of `admin_url`)."""
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def create_database(name: str, admin_url: str = PG_ADMIN_URL) -> str:
    """Create a fresh database and return its URL."""
    with _admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, admin_url)


def drop_database(name: str, admin_url: str = PG_ADMIN_URL) -> None:
    """Drop a database, closing whatever is still connected to it."""
    with _admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_databases(prefix: str, admin_url: str = PG_ADMIN_URL) -> Iterator[dict[str, str]]:
    """One new PostgreSQL database per service, dropped afterwards."""
    tag = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    names = {service: f"cohort_{tag}_{service}" for service in SERVICES}
    urls = {service: create_database(name, admin_url) for service, name in names.items()}
    try:
        yield urls
    finally:
        for name in names.values():
            drop_database(name, admin_url)


@contextmanager
def private_redis_db() -> Iterator[str]:
    """Claim a Redis DB index no other test session is using, empty it, release it afterwards."""
    token = secrets.token_hex(8)
    for index in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_BASE_URL}/{index}")
        if client.set(REDIS_LOCK_KEY, token, nx=True, ex=3600):
            break
    else:
        raise RuntimeError("no free Redis DB index for this test session")
    client.flushdb()
    client.set(REDIS_LOCK_KEY, token, ex=3600)
    try:
        yield f"{REDIS_BASE_URL}/{index}"
    finally:
        client.flushdb()
