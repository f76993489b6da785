"""The statements of a registration, built once: read the seat board, insert (the row locks
are in `locks`).

A registration is one short transaction on the busiest path of the service, so its statements
are prebuilt with bound parameters (no query is assembled per request) and read plain rows
where no mapped object is needed.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, exists, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from services.scheduler.models import Registration, SchedulerTable
from services.scheduler.registrations import rules

_tables = SchedulerTable.metadata.tables
_cohort, _registration = _tables["cohort"], _tables["registration"]

_OFFERING_ID = bindparam("offering_id", type_=Integer)
_EDUCATOR_ID = bindparam("educator_id", type_=Integer)


@dataclass(frozen=True)
class SeatBoard:
    """An offering's cohorts with their seats and its waitlist, as one educator finds them."""

    cohorts: list[rules.CohortSeats]
    waitlisted: int
    last_waitlist_seq: int
    existing_registration_id: int | None = None
    holds_seat_elsewhere: bool = False


def _active(column: ColumnElement[str]) -> ColumnElement[bool]:
    return or_(column == Registration.CONFIRMED, column == Registration.WAITLISTED)


_MINE = and_(_registration.c.educator_id == _EDUCATOR_ID, _active(_registration.c.status))
_FACTS = (
    select(func.count())
    .where(
        _registration.c.offering_id == _OFFERING_ID,
        _registration.c.status == Registration.WAITLISTED,
    )
    .correlate(None)
    .scalar_subquery(),
    select(func.coalesce(func.max(_registration.c.waitlist_seq), 0))
    .where(_registration.c.offering_id == _OFFERING_ID)
    .correlate(None)
    .scalar_subquery(),
    select(func.max(_registration.c.id))
    .where(_MINE, _registration.c.offering_id == _OFFERING_ID)
    .correlate(None)
    .scalar_subquery(),
    exists()
    .where(
        _MINE,
        _registration.c.status == Registration.CONFIRMED,
        _registration.c.offering_id != _OFFERING_ID,
    )
    .correlate(None),
)
_SEAT_BOARD = (
    select(
        _cohort.c.id,
        _cohort.c.index,
        _cohort.c.status,
        func.count(_registration.c.id),
        *_FACTS,
    )
    .select_from(
        _cohort.outerjoin(
            _registration,
            and_(
                _registration.c.cohort_id == _cohort.c.id,
                _registration.c.status == Registration.CONFIRMED,
            ),
        )
    )
    .where(_cohort.c.offering_id == _OFFERING_ID)
    .group_by(_cohort.c.id)
)
_FACTS_ONLY = select(*_FACTS)


def seat_board(session: Session, offering_id: int, educator_id: int = 0) -> SeatBoard:
    """Seats per cohort, the waitlist (length, last place number) and, for an educator, their
    active registration here and whether they hold a seat elsewhere: one round trip."""
    params = {"offering_id": offering_id, "educator_id": educator_id}
    rows = session.connection().execute(_SEAT_BOARD, params).all()
    if rows:
        waitlisted, last_seq, existing, elsewhere = rows[0][4:]
    else:  # an offering never opened (cancelled before its publish arrived)
        waitlisted, last_seq, existing, elsewhere = (
            session.connection().execute(_FACTS_ONLY, params).one()
        )
    return SeatBoard(
        cohorts=[rules.CohortSeats(row[0], row[1], row[2], row[3]) for row in rows],
        waitlisted=int(waitlisted),
        last_waitlist_seq=int(last_seq),
        existing_registration_id=existing,
        holds_seat_elsewhere=bool(elsewhere),
    )


@dataclass(frozen=True)
class NewRegistration:
    """A registration as just written."""

    id: int
    offering_id: int
    educator_id: int
    status: str
    cohort_id: int | None
    waitlist_seq: int | None
    created_at: datetime


_INSERT_REGISTRATION = insert(_registration).returning(_registration.c.id)


def insert_registration(
    session: Session,
    *,
    offering_id: int,
    educator_id: int,
    cohort_id: int | None,
    waitlist_seq: int | None,
    now: datetime,
) -> NewRegistration:
    """Write a confirmed registration (with a cohort) or a waitlisted one (with a place number)."""
    status = Registration.CONFIRMED if cohort_id is not None else Registration.WAITLISTED
    values = {
        "offering_id": offering_id,
        "educator_id": educator_id,
        "cohort_id": cohort_id,
        "status": status,
        "waitlist_seq": waitlist_seq,
        "cancel_reason": None,
        "created_at": now,
        "updated_at": now,
    }
    new_id = session.connection().execute(_INSERT_REGISTRATION, values).scalar_one()
    return NewRegistration(
        int(new_id), offering_id, educator_id, status, cohort_id, waitlist_seq, now
    )
