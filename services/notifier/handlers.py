"""Scheduler events → bookings → messages; one table maps each event type to its handler.

Handlers run inside the consumer's transaction (which also records the event id) and never
commit. Every message goes into the delivery ledger in that same transaction.
"""

from collections.abc import Iterable, Sequence

from sqlmodel import Session

from services.notifier.bookings import (
    Change,
    Synced,
    bookings_of,
    cancel_bookings,
    cohort_bookings,
    end,
    has_ended,
    holds_seat,
    recipient_bookings,
    sync_recipient,
)
from services.notifier.content import MeetingView, MessageContent
from services.notifier.domain import CANCEL, WAITLISTED, as_utc
from services.notifier.ledger import queue_message, queue_messages
from services.notifier.models import CANCELLED
from services.notifier.outgoing import booking_message, notice_message
from services.notifier.reminders import schedule_reminders
from shared.consumer import Handler
from shared.events import (
    Cohort,
    CohortCancelled,
    CohortUpdated,
    Event,
    FacilitatorAssigned,
    FacilitatorUnassigned,
    Recipient,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)

WAITLIST_CANCELLED = "Your place on the waitlist is cancelled."


def _queue_changes(session: Session, changes: Sequence[Change]) -> None:
    queue_messages(session, [booking_message(c.booking, c.kind, c.changed) for c in changes])


def _announce(session: Session, changes: Iterable[Change]) -> None:
    """Queue one message per change and bring the touched recipients' reminders up to date."""
    changes = list(changes)
    _queue_changes(session, changes)
    touched = {
        (c.booking.recipient_kind, c.booking.recipient_id, c.booking.cohort_id) for c in changes
    }
    for kind, recipient_id, cohort_id in sorted(touched):
        schedule_reminders(session, bookings_of(session, kind, recipient_id, cohort_id))


def _announce_synced(session: Session, synced: Synced) -> None:
    """Like `_announce`, for one recipient just synced: their bookings are already at hand."""
    if synced.changes:
        _queue_changes(session, synced.changes)
        schedule_reminders(session, synced.bookings, fresh=synced.fresh)


def _notify(
    session: Session, recipient: Recipient, kind: str, content: MessageContent, source: str
) -> None:
    """Queue a plain notice (no calendar part) to one recipient."""
    queue_message(
        session,
        notice_message(
            kind=kind,
            content=content,
            to_name=recipient.name,
            to_email=recipient.email,
            variant=source,
        ),
    )


def _book(session: Session, recipient: Recipient, cohort: Cohort, source: str) -> None:
    if has_ended(session, source, f"cohort:{cohort.id}"):
        return
    synced = sync_recipient(
        session, recipient=recipient, cohort=cohort, source=source, may_reactivate=True
    )
    _announce_synced(session, synced)


def _unbook(session: Session, recipient: Recipient, cohort: Cohort, source: str) -> None:
    end(session, source)
    held = recipient_bookings(
        session, recipient_kind=recipient.kind, recipient_id=recipient.id, cohort=cohort
    )
    # A booking another (newer) registration or assignment holds is not this event's to cancel.
    mine = [b for b in held if b.source in (source, "")]
    _announce(session, cancel_bookings(session, mine))


def on_registration_confirmed(session: Session, event: Event) -> None:
    """An educator holds a seat: an invite per meeting (also when promoted from the waitlist)."""
    assert isinstance(event, RegistrationConfirmed)
    _book(session, event.educator, event.cohort, f"registration:{event.registration_id}")


def on_registration_waitlisted(session: Session, event: Event) -> None:
    """An educator joined a waitlist: a plain notice with the position."""
    assert isinstance(event, RegistrationWaitlisted)
    source = f"registration:{event.registration_id}"
    if has_ended(session, source) or holds_seat(session, source):
        return  # a late notice: the registration is already over or already has its seat
    content = MessageContent(
        kind=WAITLISTED,
        recipient_name=event.educator.name,
        recipient_timezone=event.educator.timezone,
        title=event.offering_title,
        program_title=event.program_title,
        sensitive=event.sensitive,
        meetings=tuple(
            MeetingView(
                as_utc(m.starts_at_utc), as_utc(m.ends_at_utc), m.timezone or event.timezone
            )
            for m in event.meetings
        ),
        waitlist_position=event.position,
    )
    _notify(session, event.educator, WAITLISTED, content, source)


def on_registration_cancelled(session: Session, event: Event) -> None:
    """A registration ended: CANCEL each meeting still active, or a notice for a waitlist place."""
    assert isinstance(event, RegistrationCancelled)
    source = f"registration:{event.registration_id}"
    if event.cohort is not None:
        _unbook(session, event.educator, event.cohort, source)
        return
    if has_ended(session, source):
        return
    end(session, source)
    content = MessageContent(
        kind="notice",
        recipient_name=event.educator.name,
        recipient_timezone=event.educator.timezone,
        title="",
        program_title="",
        sensitive=True,
        meetings=(),
        reason=WAITLIST_CANCELLED,
    )
    _notify(session, event.educator, CANCEL, content, source)


def on_facilitator_assigned(session: Session, event: Event) -> None:
    """A facilitator leads a cohort: a facilitator invite per meeting."""
    assert isinstance(event, FacilitatorAssigned)
    _book(session, event.facilitator, event.cohort, f"assignment:{event.assignment_id}")


def on_facilitator_unassigned(session: Session, event: Event) -> None:
    """A facilitator no longer leads a cohort: a cancellation per meeting still active."""
    assert isinstance(event, FacilitatorUnassigned)
    _unbook(session, event.facilitator, event.cohort, f"assignment:{event.assignment_id}")


def on_cohort_updated(session: Session, event: Event) -> None:
    """Meetings moved, added or removed, place or link changed: tell everyone booked on it."""
    assert isinstance(event, CohortUpdated)
    if has_ended(session, f"cohort:{event.cohort.id}"):
        return
    for recipient in event.recipients:
        held = recipient_bookings(
            session, recipient_kind=recipient.kind, recipient_id=recipient.id, cohort=event.cohort
        )
        if held and all(booking.status == CANCELLED for booking in held):
            continue  # they left the cohort; their cancellation is (or will be) handled
        _announce_synced(session, sync_recipient(session, recipient=recipient, cohort=event.cohort))


def on_cohort_cancelled(session: Session, event: Event) -> None:
    """A cohort will not meet: CANCEL every booking of it still active."""
    assert isinstance(event, CohortCancelled)
    end(session, f"cohort:{event.cohort.id}")
    _announce(session, cancel_bookings(session, cohort_bookings(session, event.cohort.id)))


HANDLERS: dict[str, Handler] = {
    RegistrationConfirmed.TYPE: on_registration_confirmed,
    RegistrationWaitlisted.TYPE: on_registration_waitlisted,
    RegistrationCancelled.TYPE: on_registration_cancelled,
    FacilitatorAssigned.TYPE: on_facilitator_assigned,
    FacilitatorUnassigned.TYPE: on_facilitator_unassigned,
    CohortUpdated.TYPE: on_cohort_updated,
    CohortCancelled.TYPE: on_cohort_cancelled,
}
