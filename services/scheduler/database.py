"""The scheduler's database, outbox and consumer wiring."""

from datetime import timedelta

from sqlalchemy.exc import DBAPIError

from services.scheduler.models import SchedulerTable
from shared.runtime import ServiceRuntime
from shared.settings import get_settings

runtime = ServiceRuntime(
    service="scheduler",
    metadata=SchedulerTable.metadata,
    database_setting="scheduler_database_url",
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
