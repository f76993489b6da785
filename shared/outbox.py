"""Transactional outbox: events are rows committed with the change, sent after commit.

A row stays open until every subscribed consumer has confirmed processing it (shared.confirmations);
reaching Redis is not enough, since Redis may lose what it holds.
"""

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from shared.bus import Publisher
from shared.db import after_commit_batch
from shared.events import Envelope, Event, wrap
from shared.logs import correlation_id
from shared.sent_marks import MARKER
from shared.settings import get_settings

log = logging.getLogger(__name__)

_ID_TYPE = BigInteger().with_variant(Integer, "sqlite")


@dataclass(frozen=True)
class BusTables:
    """The tables every service keeps for the bus: outbox, processed events, dead events."""

    outbox: Table
    processed: Table
    dead: Table


def define_bus_tables(metadata: MetaData) -> BusTables:
    """Add the bus tables to a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        # The consumers that have not yet confirmed processing it, comma-separated ("" = done).
        Column("awaiting", Text, nullable=False, default=""),
        Column("resend_at", DateTime(timezone=True), nullable=True),
        Column("confirmed_at", DateTime(timezone=True), nullable=True),
    )
    Index(
        "ix_outbox_unsent",
        outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    Index(
        "ix_outbox_unconfirmed",
        outbox.c.resend_at,
        postgresql_where=outbox.c.awaiting != "",
        sqlite_where=outbox.c.awaiting != "",
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    dead = Table(
        "dead_events",
        metadata,
        Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, index=True),
        Column("type", String(64), nullable=False),
        Column("consumer", String(32), nullable=False),
        Column("payload", Text, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("died_at", DateTime(timezone=True), nullable=False),
    )
    return BusTables(outbox=outbox, processed=processed, dead=dead)


def rewrite_payloads(
    connection: Connection,
    tables: BusTables,
    mentioning: Sequence[str],
    rewrite: Callable[[Any], Any],
) -> int:
    """Rewrite the stored events (outbox, sent or not, and parked ones) whose text contains
    any of `mentioning` (lower case) with `rewrite(parsed payload)`; how many rows changed."""
    changed = 0
    for table in (tables.outbox, tables.dead):
        lowered = func.lower(table.c.payload)
        wanted = or_(*(lowered.contains(text, autoescape=True) for text in mentioning))
        found = select(table.c.id, table.c.payload).where(wanted)
        for row_id, payload in connection.execute(found).all():
            original = json.loads(payload)
            rewritten = rewrite(original)
            if rewritten != original:
                text = json.dumps(rewritten, separators=(",", ":"), ensure_ascii=False)
                connection.execute(update(table).where(table.c.id == row_id).values(payload=text))
                changed += 1
    return changed


class Outbox:
    """Writes a service's events into its outbox and sends them once the transaction commits."""

    def __init__(
        self,
        *,
        service: str,
        tables: BusTables,
        publisher: Publisher,
        confirm_after: float | None = None,
        resend_max: float | None = None,
    ) -> None:
        settings = get_settings()
        self.confirm_after = confirm_after or settings.cohort_outbox_confirm_after
        self.resend_max = resend_max or settings.cohort_outbox_resend_max
        self.service = service
        self.tables = tables
        self.publisher = publisher
        self._insert = insert(tables.outbox)
        self._pending_key = f"cohort_outbox_pending:{id(self)}"

    def record(self, session: Session, event_: Event) -> Envelope:
        """Add an event to the session's transaction; it is sent after the commit."""
        envelope = wrap(event_, producer=self.service, correlation_id=correlation_id.get())
        row = {
            "event_id": str(envelope.event_id),
            "type": envelope.type,
            "payload": envelope.model_dump_json(),
            "created_at": datetime.now(UTC),
            "attempts": 0,
            "awaiting": ",".join(self.publisher.subscriptions.get(envelope.type, ())),
        }
        session.connection().execute(self._insert, row)
        engine: Engine = session.get_bind()  # type: ignore[assignment]
        pending: list[Envelope] = after_commit_batch(
            session, self._pending_key, lambda batch: self.send_now(engine, batch)
        )
        pending.append(envelope)
        return envelope

    def send_now(self, engine: Engine, envelopes: Sequence[Envelope]) -> None:
        """Fast path: send just-committed events and mark them sent; the relay covers failures."""
        sent: list[str] = []
        for envelope in envelopes:
            try:
                self.publisher.send(envelope)
            except Exception:
                log.warning(
                    "outbox send failed; relay will retry", extra={"event_type": envelope.type}
                )
                break
            sent.append(str(envelope.event_id))
        self.mark_sent(engine, sent)

    def mark_sent(self, engine: Engine, event_ids: Sequence[str]) -> None:
        """Record, soon and in a batch, that these events reached the broker."""
        MARKER.add(self.tables.outbox, engine, event_ids, resend_after=self.confirm_after)

    def resend_delay(self, sends: int) -> float:
        """Seconds to wait for confirmations after the `sends`-th send before sending again."""
        return float(min(self.confirm_after * 2 ** max(sends - 1, 0), self.resend_max))
