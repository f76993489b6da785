"""A person changed their name, zone or language (`person.updated`): the bookings the notifier
holds of them follow, so reminders and later updates greet them rightly, in their language."""

from sqlalchemy import or_, update
from sqlmodel import Session, col

from services.notifier.bookings import has_ended
from services.notifier.models import Booking
from services.notifier.people import erasure
from shared.events import Event, PersonUpdated


def apply_person_updated(session: Session, event: Event) -> None:
    """Copy the new values onto the person's bookings, unless a newer change is already there."""
    assert isinstance(event, PersonUpdated)
    if has_ended(session=session, keys=(erasure.person_key(event.person_id),)):
        return  # someone erased keeps no name here
    values: dict[str, object] = {
        "recipient_locale": event.locale,
        "person_updated_at": event.updated_at,
    }
    if event.name.strip():
        values["recipient_name"] = event.name
    if event.timezone:
        values["recipient_timezone"] = event.timezone
    session.execute(
        update(Booking)
        .where(
            col(Booking.recipient_id) == event.person_id,
            or_(
                col(Booking.person_updated_at).is_(None),
                col(Booking.person_updated_at) < event.updated_at,
            ),
        )
        .values(**values)
    )
