"""Consumers confirm each processed event to its producer, which then stops re-sending it.

A consumer pushes "<consumer> <event_id>" onto the producer's Redis list once the event's effects
(or its parking as dead) are committed; the producer's relay drains the list into its outbox.
A confirmation lost with Redis only makes the producer send the event again, which the consumer
skips as a duplicate and confirms anew: the outbox, not Redis, holds the truth.
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime

import redis
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from shared.db import is_sqlite
from shared.outbox import Outbox

log = logging.getLogger(__name__)

DRAIN_BATCH = 1000


def confirmations_key(producer: str) -> str:
    """The Redis list a producer's confirmations arrive on."""
    return f"cohort:confirmations:{producer}"


def confirm(client: redis.Redis, *, producer: str, consumer: str, event_id: str) -> None:
    """Tell the producer this consumer has processed the event (best effort: a lost one costs a
    re-send, nothing more)."""
    try:
        client.lpush(confirmations_key(producer), f"{consumer} {event_id}")
    except redis.RedisError:
        log.warning("could not confirm an event; its producer will send it again")


def drain_confirmations(outbox: Outbox, engine: Engine, batch: int = DRAIN_BATCH) -> int:
    """Apply confirmations waiting for this producer to its outbox; return how many were read."""
    client = outbox.publisher.redis
    key = confirmations_key(outbox.service)
    raw = client.rpop(key, batch)
    if not raw:
        return 0
    items = [item.decode() if isinstance(item, bytes) else str(item) for item in raw]
    try:
        with engine.begin() as connection:
            _apply(outbox, connection, _by_event(items))
    except Exception:
        client.rpush(key, *items)  # keep them for the next pass
        raise
    return len(items)


def _by_event(items: list[str]) -> dict[str, set[str]]:
    confirmed: dict[str, set[str]] = defaultdict(set)
    for item in items:
        consumer, _, event_id = item.partition(" ")
        if event_id:
            confirmed[event_id].add(consumer)
    return confirmed


def _apply(outbox: Outbox, connection: Connection, confirmed: dict[str, set[str]]) -> None:
    table = outbox.tables.outbox
    query = select(table.c.event_id, table.c.awaiting).where(
        table.c.event_id.in_(list(confirmed)), table.c.awaiting != ""
    )
    if not is_sqlite(connection.engine):
        query = query.with_for_update()  # two relays may confirm one event's two consumers
    remaining: dict[str, list[str]] = defaultdict(list)
    for event_id, awaiting in connection.execute(query):
        left = [name for name in awaiting.split(",") if name not in confirmed[event_id]]
        remaining[",".join(left)].append(event_id)
    now = datetime.now(UTC)
    for awaiting, event_ids in remaining.items():
        values: dict[str, object] = {"awaiting": awaiting}
        if not awaiting:
            values["confirmed_at"] = now
        connection.execute(update(table).where(table.c.event_id.in_(event_ids)).values(**values))
