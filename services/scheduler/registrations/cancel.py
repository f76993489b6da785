"""Use case of cancelling a registration: a freed seat goes to the head of the waitlist.

The cancellation runs under the offering's row lock, like every change of who holds a seat, so
the promotion of the waitlist head happens in the same transaction (strict FIFO).
"""

from sqlmodel import Session

from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.locks import lock_offering
from services.scheduler.models import Cohort, Educator, Offering, Registration, utcnow
from services.scheduler.registrations import events as registration_events
from services.scheduler.registrations.rules import cancel_reason, may_change, may_see
from services.scheduler.registrations.seats import fill_free_seats
from services.scheduler.snapshots import cohort_snapshot, offering_meetings
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.validation import storable_id


def cancel_registration(
    *, session: Session, registration_id: int, principal: Principal
) -> Registration:
    """End a registration; a freed seat goes to the head of the waitlist in the same transaction."""
    return run_in_transaction(session, lambda: _cancel_once(session, registration_id, principal))


def _cancel_once(session: Session, registration_id: int, principal: Principal) -> Registration:
    found = storable_id(registration_id)
    registration = session.get(Registration, registration_id) if found else None
    if registration is None:
        raise NotFound("registration not found")
    offering = lock_offering(session, registration.offering_id)
    assert offering is not None
    if not may_see(principal, registration, offering):
        raise NotFound("registration not found")
    if not may_change(principal, registration, offering):
        raise Forbidden("an affiliate's viewers cannot cancel registrations")
    session.refresh(registration)
    if registration.status != Registration.CANCELLED:
        _cancel(
            session,
            offering,
            registration,
            cancel_reason(_acting_as(principal, registration, offering)),
        )
    return registration


def _cancel(session: Session, offering: Offering, registration: Registration, reason: str) -> None:
    previous = registration.status
    cohort = session.get(Cohort, registration.cohort_id) if registration.cohort_id else None
    registration.status = Registration.CANCELLED
    registration.cancel_reason = reason
    registration.updated_at = utcnow()
    session.add(registration)
    session.flush()
    educator = session.get(Educator, registration.educator_id)
    assert educator is not None
    meetings = offering_meetings(session, offering.id)
    held_seat = previous == Registration.CONFIRMED and cohort is not None
    snapshot = cohort_snapshot(offering, cohort, meetings) if held_seat and cohort else None
    event = registration_events.cancelled(
        registration=registration,
        educator=educator,
        previous=previous,
        cohort=snapshot,
        offering=offering,
    )
    runtime.outbox.record(session, event)
    if held_seat:
        fill_free_seats(session=session, offering=offering, meetings=meetings)


def _acting_as(principal: Principal, registration: Registration, offering: Offering) -> str:
    """Whom a cancellation is from: the educator themself, the affiliate, or an operator."""
    if principal.educator_id == registration.educator_id:
        return "educator"
    return "affiliate" if principal.member_of(offering.affiliate_id) else "operator"
