"""Every lock of the scheduler, and the order they are taken in.

Lock order, everywhere: offerings (several in id order), then educators, then the facilitator
pool, then facilitators (several in id order). Every change of who holds a seat in an offering
first locks that offering's projection row, so counting seats and writing the decision never
interleave on PostgreSQL; an educator's row orders their clash checks; whoever writes facilitator
bookings locks the facilitators' rows and re-checks their constraints under that lock (the
exclusion constraints on `facilitator_booking` are the last line on PostgreSQL). Taken in this
order, no two transactions deadlock. A waiter re-reads the rows it locked once it gets them, so
the values returned are current. On SQLite these locks compile to nothing: the session's BEGIN
IMMEDIATE already serializes writers.

The facilitator pool is one advisory lock. Every staffing decision holds it shared from before
it reads the pool until it commits; adding a facilitator or changing their availability holds it
exclusively. So a decision made without a new facilitator commits before that facilitator does,
and the worker that staffs waiting cohorts for the change (`assignments/waiting.py`, after the
commit) finds that decision's cohorts.

A registration, on the busiest path of the service, locks its two rows (offering, educator) in
one prebuilt statement and reads only the columns its decision and its event need, into frozen
dataclasses: no mapped objects are built there. A rarer step that needs the mapped offering
(opening a cohort) loads it then, under the lock already held.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, text
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from services.scheduler.models import Educator, Facilitator, Offering, SchedulerTable

_offering = SchedulerTable.metadata.tables["offering"]
_educator = SchedulerTable.metadata.tables["educator"]


@dataclass(frozen=True)
class OfferingFacts:
    """The offering row as a registration reads it."""

    id: int
    status: str
    title: str
    program_title: str
    sensitive: bool
    timezone: str
    affiliate_contact_email: str | None
    capacity: int
    max_cohorts: int
    registration_closes_at_utc: datetime | None
    updated_at: datetime
    source_updated_at: datetime | None


@dataclass(frozen=True)
class EducatorFacts:
    """The educator row as a registration reads it."""

    id: int
    name: str
    email: str
    timezone: str | None
    locale: str


_OFFERING_COLUMNS = [_offering.c[name] for name in OfferingFacts.__dataclass_fields__]
_EDUCATOR_COLUMNS = [
    _educator.c[name].label(f"educator_{name}") for name in EducatorFacts.__dataclass_fields__
]
_OFFERING_ID = bindparam("offering_id", type_=Integer)
_EDUCATOR_ID = bindparam("educator_id", type_=Integer)

# Prebuilt statements (core selects, bound parameters): nothing is assembled per request.
_LOCK_OFFERING_ROW = (
    core_select(Offering)
    .where(col(Offering.id) == _OFFERING_ID)
    .with_for_update(key_share=True)
    .execution_options(populate_existing=True)
)
_LOCK_BOTH = (
    core_select(*_OFFERING_COLUMNS, *_EDUCATOR_COLUMNS)
    .select_from(_offering.join(_educator, _educator.c.id == _EDUCATOR_ID))
    .where(_offering.c.id == _OFFERING_ID)
    .with_for_update(of=[_offering, _educator], key_share=True)
)
_LOCK_OFFERING_FACTS = (
    core_select(*_OFFERING_COLUMNS)
    .where(_offering.c.id == _OFFERING_ID)
    .with_for_update(key_share=True)
)
_SPLIT = len(_OFFERING_COLUMNS)
# One key for the whole pool; the schema lock (shared.db.SCHEMA_LOCK_KEY) is 7_340_001.
FACILITATOR_POOL_KEY = 7_340_002
_HOLD_POOL = text(f"SELECT pg_advisory_xact_lock_shared({FACILITATOR_POOL_KEY})")
_CHANGE_POOL = text(f"SELECT pg_advisory_xact_lock({FACILITATOR_POOL_KEY})")


def lock_offering(session: Session, offering_id: int) -> Offering | None:
    """Read an offering and hold its row lock until the transaction ends."""
    return session.execute(_LOCK_OFFERING_ROW, {"offering_id": offering_id}).scalar_one_or_none()


def lock_offerings(session: Session, ids: Iterable[int]) -> dict[int, Offering]:
    """Read offerings and hold their row locks, taken in id order, until the transaction ends."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(Offering)
        .where(col(Offering.id).in_(wanted))
        .order_by(col(Offering.id))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    return {row.id: row for row in rows}


def lock_parties(
    session: Session, offering_id: int, educator_id: int
) -> tuple[OfferingFacts | None, EducatorFacts | None]:
    """Lock the offering's row, then the educator's, and read both; None where one is missing."""
    params = {"offering_id": offering_id, "educator_id": educator_id}
    connection = session.connection()
    row = connection.execute(_LOCK_BOTH, params).first()
    if row is not None:
        return OfferingFacts(*row[:_SPLIT]), EducatorFacts(*row[_SPLIT:])
    # Someone is missing (a refusal): find out who, still taking the offering's lock first.
    alone = connection.execute(_LOCK_OFFERING_FACTS, params).first()
    return (OfferingFacts(*alone) if alone is not None else None), None


def lock_educator(session: Session, educator_id: int) -> Educator | None:
    """Read an educator and hold their row lock (orders their clash checks)."""
    query = (
        select(Educator)
        .where(Educator.id == educator_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def lock_facilitator_pool(session: Session, *, exclusive: bool = False) -> None:
    """Hold the facilitator pool: shared to staff cohorts from it, exclusive to change it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_CHANGE_POOL if exclusive else _HOLD_POOL)


def lock_facilitators(session: Session, ids: Iterable[int]) -> None:
    """Take the facilitators' row locks, in id order, until the transaction ends."""
    wanted = sorted(set(ids))
    if wanted:
        session.exec(
            select(Facilitator.id)
            .where(col(Facilitator.id).in_(wanted))
            .order_by(col(Facilitator.id))
            .with_for_update(key_share=True)
        ).all()
