"""Shared pieces of the scheduler's race tests: small pools, an unguarded database, helpers.

Control runs use a database whose guards are dropped (no partial unique index, no exclusion
constraints); guarded runs use the session's database. Each gets its own small connection pool
because the PostgreSQL server is shared with other test sessions.
"""

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.scheduler.models import Educator, SchedulerTable
from services.scheduler.offerings.service import apply_offering_published
from shared import events
from shared.db import create_schema
from tests.support.infra import create_database, drop_database

PAUSE = 0.15


def small_engine(url: str) -> Engine:
    # At most 20 connections: the server is shared with other test sessions.
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=20, max_overflow=0
    )


@pytest.fixture(scope="module", name="unguarded_url")
def unguarded_database() -> Iterator[str]:
    """A scheduler database without its guards: no unique index, no exclusion constraints."""
    name = f"cohort_sched_control_{os.getpid()}_{secrets.token_hex(3)}"
    url = create_database(name)
    engine = small_engine(url)
    create_schema(engine, SchedulerTable.metadata)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX uq_registration_active")
        connection.exec_driver_sql(
            "ALTER TABLE facilitator_booking DROP CONSTRAINT facilitator_booking_no_overlap, "
            "DROP CONSTRAINT facilitator_booking_travel_buffer"
        )
    engine.dispose()
    yield url
    drop_database(name)


@pytest.fixture(name="unguarded")
def unguarded_engine(unguarded_url: str) -> Iterator[Engine]:
    """A small pool on the unguarded database."""
    engine = small_engine(unguarded_url)
    yield engine
    engine.dispose()


@pytest.fixture(name="guarded")
def guarded_engine() -> Iterator[Engine]:
    """The session's scheduler database, through a small pool of its own."""
    from services.scheduler.database import runtime

    engine = small_engine(runtime.database_url)
    create_schema(engine, SchedulerTable.metadata)
    yield engine
    engine.dispose()


@pytest.fixture(name="relay_only")
def relay_only_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process thread runs leave their events to the relay.

    The fast path marks events sent on a second pooled connection while the first is still
    held; with more threads than pooled connections (40 > 30) that could starve the pool. The
    API caps its request threads for the same reason (`services.scheduler.main`).
    """
    from services.scheduler.database import runtime

    monkeypatch.setattr(runtime.outbox, "send_now", lambda _engine, _envelopes: None)


def publish_in(engine: Engine, state: events.Offering) -> None:
    """Apply `offering.published` on the given database."""
    with Session(engine) as session:
        apply_offering_published(session, events.OfferingPublished(offering=state))
        session.commit()


def educators_in(engine: Engine, count: int) -> list[int]:
    """Sign up `count` educators straight into the given database; their ids."""
    with Session(engine) as session:
        rows = [
            Educator(name=f"E{i}", email=f"e{i}@x.org", email_key=f"{secrets.token_hex(8)}@x.org")
            for i in range(count)
        ]
        session.add_all(rows)
        session.commit()
        return [row.id or 0 for row in rows]


def count(engine: Engine, sql: str, **params: Any) -> int:
    """One number from the database."""
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())
