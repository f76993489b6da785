"""The bus forgets, after their retention periods, only what it no longer needs."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, insert, select
from sqlalchemy.engine import Engine

from shared.db import create_schema, engine_for
from shared.outbox import BusTables, define_bus_tables
from shared.retention import purge_bus
from shared.settings import Settings
from tests.support.infra import create_database, drop_database

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)
DB_NAME = f"cohort_retention_{os.getpid()}"


@pytest.fixture()
def bus() -> Iterator[tuple[BusTables, Engine]]:
    tables = define_bus_tables(MetaData())
    engine = engine_for(create_database(DB_NAME))
    create_schema(engine, tables.outbox.metadata)
    yield tables, engine
    engine.dispose()
    drop_database(DB_NAME)


def _outbox_row(name: str, *, days: float, awaiting: str, confirmed: bool) -> dict[str, object]:
    at = NOW - timedelta(days=days)
    return {
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        "type": name,
        "payload": "{}",
        "created_at": at,
        "sent_at": at,
        "attempts": 0,
        "awaiting": awaiting,
        "confirmed_at": at if confirmed else None,
    }


def test_purge_keeps_what_is_recent_or_unconfirmed(bus: tuple[BusTables, Engine]) -> None:
    tables, engine = bus
    with engine.begin() as connection:
        connection.execute(
            insert(tables.outbox),
            [
                _outbox_row("old-confirmed", days=8, awaiting="", confirmed=True),
                _outbox_row("new-confirmed", days=1, awaiting="", confirmed=True),
                _outbox_row("old-unconfirmed", days=40, awaiting="notifier", confirmed=False),
                _outbox_row("old-no-subscriber", days=8, awaiting="", confirmed=False),
            ],
        )
        connection.execute(
            insert(tables.processed),
            [
                {"event_id": "p-old", "type": "t", "processed_at": NOW - timedelta(days=31)},
                {"event_id": "p-new", "type": "t", "processed_at": NOW - timedelta(days=29)},
            ],
        )
        dead = {"type": "t", "consumer": "c", "payload": "{}", "error": "e", "attempts": 1}
        connection.execute(
            insert(tables.dead),
            [
                {**dead, "event_id": "d-old", "died_at": NOW - timedelta(days=91)},
                {**dead, "event_id": "d-new", "died_at": NOW - timedelta(days=10)},
            ],
        )

    purged = purge_bus(tables, engine, Settings(), now=NOW)

    assert (purged.outbox, purged.processed, purged.dead) == (2, 1, 1)
    with engine.connect() as connection:
        kept = set(connection.execute(select(tables.outbox.c.type)).scalars())
        processed = set(connection.execute(select(tables.processed.c.event_id)).scalars())
        dead_ids = set(connection.execute(select(tables.dead.c.event_id)).scalars())
    assert kept == {"new-confirmed", "old-unconfirmed"}
    assert (processed, dead_ids) == ({"p-new"}, {"d-new"})
    assert purge_bus(tables, engine, Settings(), now=NOW) == type(purged)(0, 0, 0)
