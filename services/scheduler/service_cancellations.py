"""Use case of cancelling a registration: a freed seat goes to the head of the waitlist.

The cancellation runs under the offering's row lock, like every change of who holds a seat, so
the promotion of the waitlist head happens in the same transaction (strict FIFO).
"""

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from services.scheduler import domain
from services.scheduler.database import ATTEMPTS, is_retryable, runtime
from services.scheduler.models import Cohort, Educator, Offering, Registration, utcnow
from services.scheduler.seat_statements import lock_offering
from services.scheduler.service_seats import fill_free_seats
from services.scheduler.snapshots import cancellation_event, cohort_snapshot, offering_meetings
from shared.auth import Principal, Role
from shared.errors import NotFound


def cancel_registration(
    session: Session, *, registration_id: int, principal: Principal
) -> Registration:
    """End a registration; a freed seat goes to the head of the waitlist in the same transaction."""
    for attempt in range(ATTEMPTS):
        try:
            registration = _cancel_once(session, registration_id, principal)
            session.commit()
            return registration
        except DBAPIError as error:
            session.rollback()
            if not is_retryable(error) or attempt == ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _cancel_once(session: Session, registration_id: int, principal: Principal) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("registration not found")
    offering = lock_offering(session, registration.offering_id)
    assert offering is not None
    if not may_see(principal, registration, offering):
        raise NotFound("registration not found")
    session.refresh(registration)
    if registration.status != "cancelled":
        _cancel(session, offering, registration, domain.cancel_reason(principal.role.value))
    return registration


def _cancel(session: Session, offering: Offering, registration: Registration, reason: str) -> None:
    previous = registration.status
    cohort = session.get(Cohort, registration.cohort_id) if registration.cohort_id else None
    registration.status = "cancelled"
    registration.cancel_reason = reason
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()
    educator = session.get(Educator, registration.educator_id)
    assert educator is not None
    meetings = offering_meetings(session, offering.id)
    held_seat = previous == "confirmed" and cohort is not None
    snapshot = cohort_snapshot(offering, cohort, meetings) if held_seat and cohort else None
    runtime.outbox.record(session, cancellation_event(registration, educator, previous, snapshot))
    if held_seat:
        fill_free_seats(session, offering=offering, meetings=meetings)


def may_see(principal: Principal, registration: Registration, offering: Offering) -> bool:
    """Whether the caller may see and act on a registration (owner, owning affiliate, operator)."""
    if principal.role is Role.OPERATOR:
        return True
    if principal.role is Role.EDUCATOR:
        return principal.subject_id == registration.educator_id
    if principal.role is Role.AFFILIATE:
        return principal.subject_id == offering.affiliate_id
    return False
