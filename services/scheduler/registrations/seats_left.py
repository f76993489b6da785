"""Seats left and waitlist length of many published offerings, read in one statement."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Subquery, and_, case, func, select
from sqlmodel import Session

from services.scheduler.models import Cohort, Offering, Registration, SchedulerTable
from services.scheduler.registrations.schemas import Availability
from shared.validation import MAX_ROW_ID

_tables = SchedulerTable.metadata.tables
_offering, _cohort, _registration = _tables["offering"], _tables["cohort"], _tables["registration"]


def _seats(offering_ids: Sequence[int]) -> Subquery:
    """Free seats of each offering's open cohorts."""
    confirmed = (
        select(_cohort.c.offering_id, func.count(_registration.c.id).label("confirmed"))
        .select_from(
            _cohort.outerjoin(
                _registration,
                and_(
                    _registration.c.cohort_id == _cohort.c.id,
                    _registration.c.status == Registration.CONFIRMED,
                ),
            )
        )
        .where(_cohort.c.offering_id.in_(offering_ids), _cohort.c.status != Cohort.CANCELLED)
        .group_by(_cohort.c.offering_id, _cohort.c.id)
        .subquery()
    )
    free = _offering.c.capacity - confirmed.c.confirmed
    return (
        # A cohort over a reduced capacity has no seat to give, and takes none from the others.
        select(confirmed.c.offering_id, func.sum(case((free > 0, free), else_=0)).label("left"))
        .join(_offering, _offering.c.id == confirmed.c.offering_id)
        .group_by(confirmed.c.offering_id)
        .subquery()
    )


def _waiting(offering_ids: Sequence[int]) -> Subquery:
    """How many people wait for each offering."""
    return (
        select(_registration.c.offering_id, func.count().label("waiting"))
        .where(
            _registration.c.offering_id.in_(offering_ids),
            _registration.c.status == Registration.WAITLISTED,
        )
        .group_by(_registration.c.offering_id)
        .subquery()
    )


def _statement(offering_ids: Sequence[int]) -> Select[Any]:
    seats, waiting = _seats(offering_ids), _waiting(offering_ids)
    return (
        select(_offering.c.id, func.coalesce(seats.c.left, 0), func.coalesce(waiting.c.waiting, 0))
        .outerjoin(seats, seats.c.offering_id == _offering.c.id)
        .outerjoin(waiting, waiting.c.offering_id == _offering.c.id)
        .where(_offering.c.id.in_(offering_ids), _offering.c.status == Offering.PUBLISHED)
        .order_by(_offering.c.id)
    )


def availability(session: Session, offering_ids: Sequence[int]) -> list[Availability]:
    """Each published offering among `offering_ids` with its free seats and its waitlist."""
    # An id past the column's range names no offering, and binding it would fail in PostgreSQL.
    wanted = sorted({offering_id for offering_id in offering_ids if offering_id <= MAX_ROW_ID})
    if not wanted:
        return []
    rows = session.connection().execute(_statement(wanted)).all()
    return [
        Availability(offering_id=row[0], seats_left=int(row[1]), waitlist_length=int(row[2]))
        for row in rows
    ]
