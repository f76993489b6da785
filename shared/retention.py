"""How long the bus keeps what it no longer needs: confirmed outbox rows, processed ids, dead rows.

A processed event id must outlive every redelivery of its event (a re-send happens only while the
event is unconfirmed, at most `COHORT_OUTBOX_RESEND_MAX` apart, and an unacknowledged task returns
after `COHORT_VISIBILITY_TIMEOUT`), so its period is counted in days, not minutes.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.engine import Engine

from shared.outbox import BusTables
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """How many rows one purge removed from each table."""

    outbox: int
    processed: int
    dead: int


def purge_bus(
    tables: BusTables, engine: Engine, settings: Settings | None = None, now: datetime | None = None
) -> Purged:
    """Delete outbox rows, processed ids and dead events older than their retention periods."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    outbox, processed, dead = tables.outbox, tables.processed, tables.dead
    sent_before = now - timedelta(days=settings.cohort_retain_outbox_days)
    done = or_(
        outbox.c.confirmed_at < sent_before,
        and_(outbox.c.awaiting == "", outbox.c.sent_at < sent_before),
    )
    processed_before = now - timedelta(days=settings.cohort_retain_processed_days)
    died_before = now - timedelta(days=settings.cohort_retain_dead_days)
    with engine.begin() as connection:
        purged = Purged(
            outbox=connection.execute(delete(outbox).where(done)).rowcount,
            processed=connection.execute(
                delete(processed).where(processed.c.processed_at < processed_before)
            ).rowcount,
            dead=connection.execute(delete(dead).where(dead.c.died_at < died_before)).rowcount,
        )
    if purged.outbox or purged.processed or purged.dead:
        log.info("purged expired bus rows", extra={"purged": purged.__dict__})
    return purged
