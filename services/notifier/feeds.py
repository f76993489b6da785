"""Live calendar feeds: a recipient's bookings as one METHOD:PUBLISH calendar."""

from sqlmodel import Session, col, select

from services.notifier.ical import build_calendar
from services.notifier.models import Booking, utcnow
from services.notifier.outgoing import calendar_event

FEED_NAME = "Cohort trainings"


def recipient_feed(session: Session, *, recipient_kind: str, recipient_id: int) -> str:
    """Every meeting the recipient was ever booked on, cancelled ones marked STATUS:CANCELLED,
    under the same UIDs and SEQUENCEs as their invites (PUBLISH carries no ATTENDEE)."""
    query = (
        select(Booking)
        .where(Booking.recipient_kind == recipient_kind, Booking.recipient_id == recipient_id)
        .order_by(col(Booking.starts_at), col(Booking.id))
    )
    now = utcnow()
    events = [
        calendar_event(booking, method="PUBLISH", dtstamp=now)
        for booking in session.exec(query).all()
    ]
    return build_calendar("PUBLISH", events, calendar_name=FEED_NAME)
