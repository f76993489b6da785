"""Operator command: list events parked as dead, and send them again once the cause is fixed.

python -m shared.redrive scheduler            # list
python -m shared.redrive scheduler --redrive  # re-send every parked event, then forget it
"""

import argparse
import json
import sys
from dataclasses import dataclass

from sqlalchemy import MetaData, delete, select
from sqlalchemy.engine import Engine

from shared.broker import redis_for
from shared.bus import Publisher
from shared.db import engine_for
from shared.events import Envelope
from shared.outbox import BusTables, define_bus_tables
from shared.settings import get_settings

CONSUMERS = {"scheduler": "scheduler_database_url", "notifier": "notifier_database_url"}


@dataclass(frozen=True)
class DeadEvent:
    """One parked event."""

    id: int
    event_id: str
    type: str
    attempts: int
    error: str
    payload: str


def _tables_and_engine(service: str) -> tuple[BusTables, Engine]:
    url = str(getattr(get_settings(), CONSUMERS[service]))
    return define_bus_tables(MetaData()), engine_for(url)


def list_dead(service: str) -> list[DeadEvent]:
    """Every event the service parked, oldest first."""
    tables, engine = _tables_and_engine(service)
    dead = tables.dead
    with engine.connect() as connection:
        rows = connection.execute(
            select(dead).where(dead.c.consumer == service).order_by(dead.c.id)
        )
        return [DeadEvent(r.id, r.event_id, r.type, r.attempts, r.error, r.payload) for r in rows]


def redrive(service: str, publisher: Publisher | None = None) -> int:
    """Send every parked event to the service's queue again with a fresh delivery count."""
    tables, engine = _tables_and_engine(service)
    publisher = publisher or Publisher(subscriptions={})
    counter = redis_for(get_settings().cohort_redis_url)
    sent = 0
    for item in list_dead(service):
        envelope = Envelope.model_validate(json.loads(item.payload))
        counter.delete(f"cohort:deliveries:{service}:{item.event_id}")
        publisher.app.send_task(
            f"{service}.consume_event", args=[envelope.model_dump(mode="json")], queue=service
        )
        with engine.begin() as connection:
            connection.execute(delete(tables.dead).where(tables.dead.c.id == item.id))
        sent += 1
    return sent


def main(argv: list[str] | None = None) -> int:
    """List or re-send parked events of one service."""
    parser = argparse.ArgumentParser(description="List or re-send events parked as dead")
    parser.add_argument("service", choices=sorted(CONSUMERS))
    parser.add_argument("--redrive", action="store_true", help="send them again")
    args = parser.parse_args(argv)
    if args.redrive:
        print(f"re-sent {redrive(args.service)} events to queue '{args.service}'")
        return 0
    items = list_dead(args.service)
    for item in items:
        head = f"{item.id:>6} {item.type:<26} {item.event_id}"
        print(f"{head} attempts={item.attempts} {item.error[:80]}")
    print(f"{len(items)} dead events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
