"""Seats and the waitlist of one offering, always decided under the offering's row lock.

Every change of who holds a seat in an offering first locks that offering's projection row
(`lock_offering`), so counting seats and writing the decision never interleave on PostgreSQL;
on SQLite the session's BEGIN IMMEDIATE already serializes writers. Lock order: offering, then
educators, then facilitators.
"""

from collections.abc import Sequence

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.database import runtime
from services.scheduler.matching import NoFit
from services.scheduler.models import Cohort, Educator, Meeting, Offering, Registration, utcnow
from services.scheduler.seat_statements import lock_offering as lock_offering
from services.scheduler.seat_statements import seat_board
from services.scheduler.service_assignments import staff_cohort
from services.scheduler.snapshots import confirm_event


def lock_educator(session: Session, educator_id: int) -> Educator | None:
    """Read an educator and hold their row lock (orders their clash checks)."""
    query = (
        select(Educator)
        .where(Educator.id == educator_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session.exec(query).first()


def seat_counts(session: Session, offering_id: int) -> list[domain.CohortSeats]:
    """Each cohort of the offering with how many confirmed seats it holds."""
    return seat_board(session, offering_id).cohorts


def waitlist(session: Session, offering_id: int) -> list[Registration]:
    """The offering's waitlisted registrations, head first."""
    query = (
        select(Registration)
        .where(Registration.offering_id == offering_id, Registration.status == "waitlisted")
        .order_by(col(Registration.waitlist_seq))
    )
    return list(session.exec(query).all())


def waitlist_length(session: Session, offering_id: int) -> int:
    """How many people wait for a seat in the offering."""
    query = select(func.count()).where(
        Registration.offering_id == offering_id, Registration.status == "waitlisted"
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
            Registration.status == "confirmed",
            Registration.offering_id != offering_id,
        )
        .limit(1)
    )
    return session.exec(query).first()


def open_next_cohort(
    session: Session,
    *,
    offering: Offering,
    seats: Sequence[domain.CohortSeats],
    meetings: Sequence[Meeting],
    on_demand: bool,
) -> Cohort | None:
    """Open the offering's next cohort and staff it.

    A cohort opened for demand (all others full) only opens when facilitators are found; the
    first cohort of a published offering opens anyway and says what it still needs.
    """
    cohort = Cohort(offering_id=offering.id, index=domain.next_cohort_index(seats))
    session.add(cohort)
    session.flush()
    staffed = staff_cohort(session, offering=offering, cohort=cohort, meetings=meetings)
    if isinstance(staffed, NoFit) and on_demand:
        session.delete(cohort)
        session.flush()
        return None
    session.add(cohort)
    session.flush()
    return cohort


def fill_free_seats(
    session: Session, *, offering: Offering, meetings: Sequence[Meeting]
) -> list[int]:
    """Give free seats to the waitlist, head first; return the promoted registrations.

    A head whose meetings clash with another offering the educator is confirmed in is skipped
    and stays waitlisted with its place; the next in line gets the seat.
    """
    if offering.status != "published":
        return []
    promoted: list[int] = []
    queue = waitlist(session, offering.id)
    for seats in sorted(seat_counts(session, offering.id), key=lambda s: s.index):
        if seats.status == "cancelled":
            continue
        free = domain.free_seats(seats.confirmed, offering.capacity)
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
    educator = lock_educator(session, registration.educator_id)
    assert educator is not None
    if clashing_offering(session, educator_id=educator.id or 0, offering_id=offering.id):
        return False
    registration.status = "confirmed"
    registration.cohort_id = cohort_id
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    runtime.outbox.record(
        session, confirm_event(offering, cohort, meetings, registration, educator, promoted=True)
    )
    return True


def open_cohorts_for_waitlist(
    session: Session, *, offering: Offering, meetings: Sequence[Meeting]
) -> list[int]:
    """Open cohorts (as facilitators allow) for people still waiting; return who got seats."""
    promoted = fill_free_seats(session, offering=offering, meetings=meetings)
    while offering.status == "published" and waitlist_length(session, offering.id):
        seats = seat_counts(session, offering.id)
        if not domain.may_open_cohort(seats, offering.max_cohorts):
            break
        if not open_next_cohort(
            session, offering=offering, seats=seats, meetings=meetings, on_demand=True
        ):
            break
        newly = fill_free_seats(session, offering=offering, meetings=meetings)
        if not newly:
            break
        promoted += newly
    return promoted
