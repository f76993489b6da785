"""The scheduler's database, outbox, consumer wiring and revocation list, its retention, and the
one retry helper."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import DDL, delete, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from services.scheduler.models import FacilitatorBooking, IdempotencyKey, SchedulerTable
from shared.revocations import RevocationList
from shared.runtime import ServiceRuntime
from shared.settings import Settings, get_settings

# PostgreSQL guards facilitator time in the database itself, whatever the application checked:
# no two active bookings of one facilitator overlap, and in-person bookings in different cities
# keep the travel buffer between them (the same rule the matcher applies; never stricter).
event.listen(
    SchedulerTable.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)
event.listen(
    FacilitatorBooking.__table__,  # type: ignore[attr-defined]
    "after_create",
    DDL(
        "ALTER TABLE facilitator_booking "
        "ADD CONSTRAINT facilitator_booking_no_overlap EXCLUDE USING gist "
        "(facilitator_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (active), "
        "ADD CONSTRAINT facilitator_booking_travel_buffer EXCLUDE USING gist "
        "(facilitator_id WITH =, city_key WITH <>, tstzrange(starts_at, blocked_until) WITH &&) "
        "WHERE (active AND in_person)"
    ).execute_if(dialect="postgresql"),
)


T = TypeVar("T")
log = logging.getLogger(__name__)


def kept_since(settings: Settings | None = None, now: datetime | None = None) -> datetime:
    """The oldest moment a stored idempotency key still answers for."""
    settings = settings or get_settings()
    return (now or datetime.now(UTC)) - timedelta(days=settings.cohort_retain_idempotency_days)


def forget_idempotency_keys(
    engine: Engine, settings: Settings | None = None, now: datetime | None = None
) -> int:
    """Delete idempotency keys older than `COHORT_RETAIN_IDEMPOTENCY_DAYS`; how many went."""
    before = kept_since(settings, now)
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        forgotten = connection.execute(delete(table).where(table.c.created_at < before)).rowcount
    if forgotten:
        log.info("forgot idempotency keys", extra={"forgotten": forgotten})
    return int(forgotten)


def _engine() -> Engine:
    return runtime.engine()


revocations = RevocationList(SchedulerTable.metadata, engine=_engine)
runtime = ServiceRuntime(
    service="scheduler",
    metadata=SchedulerTable.metadata,
    database_setting="scheduler_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[forget_idempotency_keys, revocations.purge_expired],
)


def travel_buffer() -> timedelta:
    """Time a facilitator needs between in-person meetings in different cities."""
    return timedelta(minutes=get_settings().cohort_travel_buffer_minutes)


# How many times a use case runs its transaction: again after a deadlock or a lost race.
ATTEMPTS = 3

# Deadlock detected, serialization failure: the transaction may simply run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_retryable(error: DBAPIError) -> bool:
    """Whether the database aborted a transaction that can run again as it is."""
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def run_in_transaction(
    session: Session,
    step: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    retry_integrity: bool = False,
) -> T:
    """Run `step` and commit; roll back on any error, and run again after a retryable one.

    A deadlock victim or a serialization failure runs again, up to `attempts` times in all;
    with `retry_integrity`, so does a unique violation (a concurrent request committed first,
    so the next attempt answers as it did). The last error is raised as it came.
    """
    for attempt in range(attempts):
        try:
            result = step()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            again = (retry_integrity and isinstance(error, IntegrityError)) or is_retryable(error)
            if not again or attempt == attempts - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
