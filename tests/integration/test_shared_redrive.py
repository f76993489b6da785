"""Parked events can be listed and sent again by an operator."""

import base64
import json
import os
import uuid
from datetime import UTC, datetime

import pytest
import redis
from sqlalchemy import MetaData, insert
from sqlalchemy.engine import Engine

from shared.audit_log import define_audit_table
from shared.db import engine_for
from shared.events import OfferingPublished, wrap
from shared.outbox import define_bus_tables
from shared.redrive import Unreadable, list_dead, main, redrive_one
from shared.settings import get_settings
from tests.support.factories import offering


def test_dead_event_is_listed_then_redriven_to_its_queue(capsys: object) -> None:
    tables = define_bus_tables(MetaData())
    audit = define_audit_table(tables.dead.metadata)
    engine = engine_for(get_settings().scheduler_database_url)
    tables.dead.metadata.create_all(engine)
    envelope = wrap(OfferingPublished(offering=offering(900)), producer="registry")
    with engine.begin() as connection:
        dead_id = connection.execute(
            insert(tables.dead)
            .values(
                event_id=str(envelope.event_id),
                type=envelope.type,
                consumer="scheduler",
                payload=envelope.model_dump_json(),
                error="RuntimeError('boom')",
                attempts=4,
                died_at=datetime.now(UTC),
            )
            .returning(tables.dead.c.id)
        ).scalar_one()
    client = redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])
    client.delete("scheduler")

    assert str(envelope.event_id) in [d.event_id for d in list_dead("scheduler")]
    assert main(["scheduler"]) == 0
    # Only this test's row: others of the session may have parked events of their own here.
    assert redrive_one(tables, engine, "scheduler", dead_id)

    assert str(envelope.event_id) not in [d.event_id for d in list_dead("scheduler")]
    queued = [json.loads(raw) for raw in client.lrange("scheduler", 0, -1)]
    bodies = [json.loads(base64.b64decode(m["body"]))[0][0] for m in queued]
    # Other services' relays may be sending to the same queue meanwhile: look for this event.
    assert [b["event_id"] for b in bodies].count(str(envelope.event_id)) == 1
    client.delete("scheduler")
    with engine.connect() as connection:
        (record,) = connection.execute(
            audit.select().where(audit.c.subject == f"event {dead_id}")
        ).all()
    assert (record.action, record.actor_name) == (
        "dead_event.redrive",
        "operator at the command line",
    )
    assert record.details == {"event_id": str(envelope.event_id), "type": "offering.published"}


def _park(engine: Engine, consumer: str, event_id: str, payload: str) -> int:
    tables = define_bus_tables(MetaData())
    define_audit_table(tables.dead.metadata)
    tables.dead.metadata.create_all(engine)
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(tables.dead)
                .values(
                    event_id=event_id,
                    type="offering.published",
                    consumer=consumer,
                    payload=payload,
                    error="ValueError('unreadable')",
                    attempts=1,
                    died_at=datetime.now(UTC),
                )
                .returning(tables.dead.c.id)
            ).scalar_one()
        )


def test_an_unreadable_payload_stays_parked_and_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = engine_for(get_settings().registry_database_url)
    broken = str(uuid.uuid4())
    dead_id = _park(engine, "registry", broken, '{"not": "an envelope"')
    tables = define_bus_tables(MetaData())

    with pytest.raises(Unreadable, match="not an event envelope"):
        redrive_one(tables, engine, "registry", dead_id)
    assert main(["registry", "--redrive"]) == 1, "a redrive that left something says so"
    assert "left parked, payload not an event: " in capsys.readouterr().err
    assert broken in [d.event_id for d in list_dead("registry")]
    client = redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])
    queued = [
        json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0]
        for raw in client.lrange("registry", 0, -1)
    ]
    assert broken not in [body.get("event_id") for body in queued]
