"""Operator command: list events parked as dead, and send them again once the cause is fixed.

python -m shared.redrive scheduler            # list
python -m shared.redrive scheduler --redrive  # re-send every parked event, then forget it
"""

import argparse
import json
import sys
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import MetaData, delete, func, select
from sqlalchemy.engine import Engine

from shared.audit_log import Actor, AuditLog, define_audit_table
from shared.broker import redis_for
from shared.bus import Publisher
from shared.db import engine_for
from shared.events import Envelope
from shared.outbox import BusTables, define_bus_tables
from shared.settings import get_settings

CONSUMERS = {
    "registry": "registry_database_url",
    "scheduler": "scheduler_database_url",
    "notifier": "notifier_database_url",
}


# Who a redrive from the shell is audited as.
COMMAND_LINE = Actor(None, "operator at the command line")


class Unreadable(ValueError):
    """A parked payload that is not an event envelope: it stays parked for a person to read."""


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


@dataclass
class Redrive:
    """What a redrive of every parked event did."""

    sent: int = 0
    unreadable: list[int] = field(default_factory=list)


def redrive(service: str) -> Redrive:
    """Send every parked event to the service's queue again with a fresh delivery count; the
    ones whose payload is not an event stay parked and are named."""
    tables, engine = _tables_and_engine(service)
    outcome = Redrive()
    for item in list_dead(service):
        try:
            outcome.sent += redrive_one(tables, engine, service, item.id)
        except Unreadable:
            outcome.unreadable.append(item.id)
    return outcome


def redrive_one(
    tables: BusTables,
    engine: Engine,
    service: str,
    dead_id: int,
    *,
    audit: AuditLog | None = None,
    actor: Actor = COMMAND_LINE,
) -> bool:
    """Send one parked event to the service's queue again, forget it and audit it as `actor`'s;
    False if unknown, Unreadable when its payload is not an event envelope."""
    dead = tables.dead
    with engine.begin() as connection:
        row = connection.execute(
            select(dead.c.event_id, dead.c.payload).where(
                dead.c.id == dead_id, dead.c.consumer == service
            )
        ).first()
        if row is None:
            return False
        envelope = _envelope(row.payload)
        client = redis_for(get_settings().cohort_redis_url)
        client.delete(f"cohort:deliveries:{service}:{row.event_id}")
        Publisher(subscriptions={}).send(envelope, [service])
        connection.execute(delete(dead).where(dead.c.id == dead_id))
        details = {"event_id": row.event_id, "type": envelope.type}
        audit = audit or AuditLog(define_audit_table(MetaData()))
        audit.record(connection, actor, "dead_event.redrive", f"event {dead_id}", details)
    return True


def _envelope(payload: str) -> Envelope:
    try:
        return Envelope.model_validate(json.loads(payload))
    except (ValueError, ValidationError) as exc:
        raise Unreadable(f"the parked payload is not an event envelope: {exc}") from None


def count_dead(tables: BusTables, engine: Engine, service: str) -> int:
    """How many events this service has parked."""
    dead = tables.dead
    with engine.connect() as connection:
        query = select(func.count()).select_from(dead).where(dead.c.consumer == service)
        return int(connection.execute(query).scalar_one())


def main(argv: list[str] | None = None) -> int:
    """List or re-send parked events of one service."""
    parser = argparse.ArgumentParser(description="List or re-send events parked as dead")
    parser.add_argument("service", choices=sorted(CONSUMERS))
    parser.add_argument("--redrive", action="store_true", help="send them again")
    args = parser.parse_args(argv)
    if args.redrive:
        outcome = redrive(args.service)
        print(f"re-sent {outcome.sent} events to queue '{args.service}'")
        if outcome.unreadable:
            ids = ", ".join(str(i) for i in outcome.unreadable)
            print(f"left parked, payload not an event: {ids}", file=sys.stderr)
            return 1
        return 0
    items = list_dead(args.service)
    for item in items:
        head = f"{item.id:>6} {item.type:<26} {item.event_id}"
        print(f"{head} attempts={item.attempts} {item.error[:80]}")
    print(f"{len(items)} dead events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
