"""Live calendar feeds: a recipient's bookings as one METHOD:PUBLISH calendar."""

from sqlmodel import Session, col, select

from services.notifier.models import Booking
from services.notifier.rendering import ical, outgoing
from shared.auth import Principal, Role
from shared.columns import utcnow

FEED_NAME = "Cohort trainings"
FEED_ROLES = {Role.EDUCATOR: "educator", Role.FACILITATOR: "facilitator"}


def calendar_feed(*, session: Session, principal: Principal) -> str | None:
    """The live feed of an educator or facilitator; None for any other role."""
    if principal.person_id is None:
        return None
    kinds = [kind for role, kind in FEED_ROLES.items() if principal.has(role)]
    if not kinds:
        return None
    return recipient_feed(
        session=session, recipient_kind=kinds[-1], recipient_id=principal.person_id
    )


def recipient_feed(*, session: Session, recipient_kind: str, recipient_id: int) -> str:
    """Every meeting the recipient was ever booked on, cancelled ones marked STATUS:CANCELLED,
    under the same UIDs and SEQUENCEs as their invites (PUBLISH carries no ATTENDEE)."""
    query = (
        select(Booking)
        .where(Booking.recipient_kind == recipient_kind, Booking.recipient_id == recipient_id)
        .order_by(col(Booking.starts_at), col(Booking.id))
    )
    now = utcnow()
    events = [
        outgoing.calendar_event(booking, method="PUBLISH", dtstamp=now)
        for booking in session.exec(query).all()
    ]
    return ical.build_calendar("PUBLISH", events, calendar_name=FEED_NAME)
