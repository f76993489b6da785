"""Seats and the waitlist of one offering, always decided under the offering's row lock."""

from collections.abc import Sequence

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.scheduler import locks, snapshots
from services.scheduler.assignments import engine
from services.scheduler.assignments import service as assignments
from services.scheduler.database import runtime
from services.scheduler.models import Cohort, Meeting, Offering, Registration, utcnow
from services.scheduler.registrations import events as registration_events
from services.scheduler.registrations import rules, statements


def seat_counts(session: Session, offering_id: int) -> list[rules.CohortSeats]:
    """Each cohort of the offering with how many confirmed seats it holds."""
    return statements.seat_board(session, offering_id).cohorts


def waitlist(session: Session, offering_id: int) -> list[Registration]:
    """The offering's waitlisted registrations, head first."""
    query = (
        select(Registration)
        .where(
            Registration.offering_id == offering_id, Registration.status == Registration.WAITLISTED
        )
        .order_by(col(Registration.waitlist_seq))
    )
    return list(session.exec(query).all())


def waitlist_length(session: Session, offering_id: int) -> int:
    """How many people wait for a seat in the offering."""
    query = select(func.count()).where(
        Registration.offering_id == offering_id, Registration.status == Registration.WAITLISTED
    )
    return int(session.exec(query).one())


def clashing_offering(session: Session, *, educator_id: int, offering_id: int) -> Offering | None:
    """Another offering the educator is confirmed in whose meetings overlap this one's."""
    mine, theirs = aliased(Meeting), aliased(Meeting)
    query = (
        select(Offering)
        .join(Registration, col(Registration.offering_id) == col(Offering.id))
        .join(theirs, col(theirs.offering_id) == col(Registration.offering_id))
        .join(
            mine,
            and_(
                col(mine.offering_id) == offering_id,
                col(mine.starts_at_utc) < col(theirs.ends_at_utc),
                col(theirs.starts_at_utc) < col(mine.ends_at_utc),
            ),
        )
        .where(
            Registration.educator_id == educator_id,
            Registration.status == Registration.CONFIRMED,
            Registration.offering_id != offering_id,
        )
        .limit(1)
    )
    return session.exec(query).first()


def open_next_cohort(
    *,
    session: Session,
    offering: Offering,
    seats: Sequence[rules.CohortSeats],
    meetings: Sequence[Meeting],
    on_demand: bool,
) -> Cohort | None:
    """Open the offering's next cohort and staff it.

    A cohort opened for demand (all others full) only opens when facilitators are found; the
    first cohort of a published offering opens anyway and says what it still needs.
    """
    cohort = Cohort(offering_id=offering.id, index=rules.next_cohort_index(seats))
    session.add(cohort)
    session.flush()
    staffed = assignments.staff_cohort(
        session=session, offering=offering, cohort=cohort, meetings=meetings
    )
    if isinstance(staffed, engine.NoFit) and on_demand:
        session.delete(cohort)
        session.flush()
        return None
    session.add(cohort)
    session.flush()
    return cohort


def fill_free_seats(
    *, session: Session, offering: Offering, meetings: Sequence[Meeting]
) -> list[int]:
    """Give free seats to the waitlist, head first; return the promoted registrations.

    A head whose meetings clash with another offering the educator is confirmed in is skipped
    and stays waitlisted with its place; the next in line gets the seat.
    """
    if offering.status != Offering.PUBLISHED:
        return []
    promoted: list[int] = []
    queue = waitlist(session, offering.id)
    for seats in sorted(seat_counts(session, offering.id), key=lambda s: s.index):
        if seats.status == Cohort.CANCELLED:
            continue
        free = rules.free_seats(seats.confirmed, offering.capacity)
        while free and queue:
            registration = queue.pop(0)
            if _promote(session, offering, seats.cohort_id, meetings, registration):
                promoted.append(registration.id or 0)
                free -= 1
    return promoted


def _promote(
    session: Session,
    offering: Offering,
    cohort_id: int,
    meetings: Sequence[Meeting],
    registration: Registration,
) -> bool:
    educator = locks.lock_educator(session, registration.educator_id)
    assert educator is not None
    if clashing_offering(session, educator_id=educator.id or 0, offering_id=offering.id):
        return False
    registration.status = Registration.CONFIRMED
    registration.cohort_id = cohort_id
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    event = registration_events.confirmed(
        registration_id=registration.id or 0,
        educator=educator,
        cohort=snapshots.cohort_snapshot(offering, cohort, meetings),
        promoted=True,
    )
    runtime.outbox.record(session, event)
    return True


def open_cohorts_for_waitlist(
    *, session: Session, offering: Offering, meetings: Sequence[Meeting]
) -> list[int]:
    """Open cohorts (as facilitators allow) for people still waiting; return who got seats."""
    promoted = fill_free_seats(session=session, offering=offering, meetings=meetings)
    while offering.status == Offering.PUBLISHED and waitlist_length(session, offering.id):
        seats = seat_counts(session, offering.id)
        if not rules.may_open_cohort(seats, offering.max_cohorts):
            break
        if not open_next_cohort(
            session=session, offering=offering, seats=seats, meetings=meetings, on_demand=True
        ):
            break
        newly = fill_free_seats(session=session, offering=offering, meetings=meetings)
        if not newly:
            break
        promoted += newly
    return promoted
