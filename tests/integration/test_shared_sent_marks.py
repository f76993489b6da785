"""Sent marks on PostgreSQL and SQLite: each event keeps the time it reached the broker."""

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.engine import Engine

from shared.db import create_schema, engine_for
from shared.outbox import define_bus_tables
from shared.sent_marks import MARKER, mark_sent
from tests.support.infra import create_database, drop_database


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('marks') / 'marks.db'}"
        yield engine_for(url)
        return
    name = f"cohort_marks_{os.getpid()}_{secrets.token_hex(3)}"
    built = engine_for(create_database(name))
    yield built
    built.dispose()
    drop_database(name)


def _outbox(engine: Engine, count: int) -> Table:
    metadata = MetaData()
    table = define_bus_tables(metadata).outbox
    create_schema(engine, metadata)
    with engine.begin() as connection:
        for i in range(count):
            connection.execute(
                insert(table).values(
                    event_id=f"e{i}",
                    type="t",
                    payload="{}",
                    created_at=datetime.now(UTC),
                    attempts=0,
                )
            )
    return table


def test_a_batch_records_each_event_s_own_send_time(engine: Engine) -> None:
    table = _outbox(engine, 3)
    sent = datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    mark_sent(table, engine, {"e0": sent, "e1": sent + timedelta(milliseconds=15)})
    with engine.connect() as connection:
        rows = dict(connection.execute(select(table.c.event_id, table.c.sent_at)).all())
    as_utc = {k: v.replace(tzinfo=UTC) if v and v.tzinfo is None else v for k, v in rows.items()}
    assert as_utc == {"e0": sent, "e1": sent + timedelta(milliseconds=15), "e2": None}


def test_the_marker_thread_marks_what_was_added(engine: Engine) -> None:
    table = _outbox(engine, 2)
    before = datetime.now(UTC)
    MARKER.add(table, engine, ["e0", "e1"], resend_after=30)
    assert MARKER.flush()
    with engine.connect() as connection:
        stamps = connection.execute(select(table.c.sent_at)).scalars().all()
    assert all(
        s is not None and s.replace(tzinfo=UTC) >= before - timedelta(seconds=1) for s in stamps
    )
