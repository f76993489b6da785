"""Scheduler events → bookings → messages; one table maps each event type to its handler.

Someone erased (`person.erased`, erasure.py) is booked and mailed nothing afterwards.

What each event means for mail is written on the event classes (shared/events/scheduler.py).
Handlers run inside the consumer's transaction (which also records the event id) and never
commit. Every message goes into the delivery ledger in that same transaction, through
`inline.queue_messages`: this event's messages are sent inline, by the consume task itself right
after the commit, when the task took the session (tasks.py); else by the `mail` queue.
`access.revoked` from accounts only goes into the revocation list (shared/revocations.py).
"""

from collections.abc import Iterable, Sequence

from sqlmodel import Session

from services.notifier import bookings, reminders
from services.notifier.bookings import Change, Synced
from services.notifier.certificates import store as certificates
from services.notifier.database import revocations
from services.notifier.delivery import inline
from services.notifier.models import Booking
from services.notifier.people import erasure, updates
from services.notifier.rendering import content, outgoing, sign_in
from services.notifier.rendering import words as wording
from services.notifier.rendering.content import MeetingView, MessageContent
from shared.columns import as_utc, utcnow
from shared.consumer import Handler
from shared.events import (
    AccessRevoked,
    Cohort,
    CohortCancelled,
    CohortUpdated,
    CompletionEarned,
    CreditRevoked,
    Event,
    FacilitatorAssigned,
    FacilitatorUnassigned,
    PersonErased,
    PersonUpdated,
    Recipient,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    SignInRequested,
)


def _queue_changes(session: Session, changes: Sequence[Change]) -> None:
    messages = [
        outgoing.booking_message(
            c.booking, c.kind, changed=c.changed, before=c.before, reason=c.reason
        )
        for c in changes
    ]
    inline.queue_messages(session, messages)


def _announce(session: Session, changes: Iterable[Change]) -> None:
    """Queue one message per change and bring the touched recipients' reminders up to date."""
    changes = list(changes)
    _queue_changes(session, changes)
    touched = {
        (c.booking.recipient_kind, c.booking.recipient_id, c.booking.cohort_id) for c in changes
    }
    for kind, recipient_id, cohort_id in sorted(touched):
        held = bookings.find_cohort_bookings(
            session=session, recipient_kind=kind, recipient_id=recipient_id, cohort_id=cohort_id
        )
        reminders.schedule_reminders(session=session, bookings=held)


def _announce_synced(session: Session, synced: Synced) -> None:
    """Like `_announce`, for one recipient just synced: their bookings are already at hand."""
    if synced.changes:
        _queue_changes(session, synced.changes)
        reminders.schedule_reminders(session=session, bookings=synced.bookings, fresh=synced.fresh)


def _notify(
    session: Session,
    recipient: Recipient,
    kind: str,
    words: MessageContent,
    source: str,
    reply_to: str | None,
) -> None:
    """Queue a plain notice (no calendar part) to one recipient."""
    notice = outgoing.notice_message(
        kind=kind,
        content=words,
        to_name=recipient.name,
        to_email=recipient.email,
        variant=source,
        person_id=recipient.id,
        reply_to=reply_to,
    )
    inline.queue_messages(session, [notice])


def _book(session: Session, recipient: Recipient, cohort: Cohort, source: str) -> None:
    ended = (source, f"cohort:{cohort.id}", erasure.person_key(recipient.id))
    if bookings.has_ended(session=session, keys=ended):
        return
    synced = bookings.sync_recipient(
        session=session, recipient=recipient, cohort=cohort, source=source, may_reactivate=True
    )
    _announce_synced(session, synced)


def _unbook(
    session: Session, recipient: Recipient, cohort: Cohort, source: str, reason: str | None = None
) -> None:
    bookings.mark_ended(session=session, key=source)
    held = bookings.lock_recipient_bookings(session=session, recipient=recipient, cohort=cohort)
    # A booking another (newer) registration or assignment holds is not this event's to cancel.
    mine = [b for b in held if b.source in (source, "")]
    _announce(session, bookings.cancel_bookings(session=session, bookings=mine, reason=reason))


def on_registration_confirmed(session: Session, event: Event) -> None:
    """Book the educator on every meeting of the cohort."""
    assert isinstance(event, RegistrationConfirmed)
    _book(session, event.educator, event.cohort, f"registration:{event.registration_id}")


def on_registration_waitlisted(session: Session, event: Event) -> None:
    """Tell the educator their waitlist position, unless the registration moved on already."""
    assert isinstance(event, RegistrationWaitlisted)
    source = f"registration:{event.registration_id}"
    ended = (source, erasure.person_key(event.educator.id))
    if bookings.has_ended(session=session, keys=ended) or bookings.holds_seat(
        session=session, source=source
    ):
        return  # a late notice (the registration is over or has its seat), or to someone erased
    words = MessageContent(
        kind=content.WAITLISTED,
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
        offering_id=event.offering_id,
        locale=event.educator.locale,
    )
    reply_to = event.affiliate_contact_email
    _notify(session, event.educator, content.WAITLISTED, words, source, reply_to)


def on_registration_cancelled(session: Session, event: Event) -> None:
    """Cancel the educator's bookings of the cohort, or end their waitlist place."""
    assert isinstance(event, RegistrationCancelled)
    source = f"registration:{event.registration_id}"
    if event.cohort is not None:
        said = event.detail.strip() if event.reason == "offering_cancelled" else ""
        _unbook(session, event.educator, event.cohort, source, reason=said or None)
        return
    if bookings.has_ended(session=session, keys=(source, erasure.person_key(event.educator.id))):
        return
    bookings.mark_ended(session=session, key=source)
    words = _waitlist_cancelled(event)
    reply_to = event.affiliate_contact_email
    _notify(session, event.educator, content.CANCEL, words, source, reply_to)


def _waitlist_cancelled(event: RegistrationCancelled) -> MessageContent:
    """The notice of a waitlist place ended: the training (neutral when sensitive) and why."""
    locale = event.educator.locale
    named = bool(event.offering_title)  # an event from before schema 1 gained the training
    return MessageContent(
        kind=content.NOTICE,
        recipient_name=event.educator.name,
        recipient_timezone=event.educator.timezone,
        title=event.offering_title,
        program_title=event.program_title,
        sensitive=event.sensitive or not named,
        meetings=(),
        reason=wording.cancel_reason(
            event.reason, event.detail, sensitive=event.sensitive, locale=locale
        ),
        offering_id=event.offering_id,
        locale=locale,
    )


def on_facilitator_assigned(session: Session, event: Event) -> None:
    """Book the facilitator on every meeting of the cohort."""
    assert isinstance(event, FacilitatorAssigned)
    _book(session, event.facilitator, event.cohort, f"assignment:{event.assignment_id}")


def on_facilitator_unassigned(session: Session, event: Event) -> None:
    """Cancel the facilitator's bookings of the cohort still active."""
    assert isinstance(event, FacilitatorUnassigned)
    _unbook(session, event.facilitator, event.cohort, f"assignment:{event.assignment_id}")


def on_cohort_updated(session: Session, event: Event) -> None:
    """Bring every recipient's bookings of the cohort in line with its meetings."""
    assert isinstance(event, CohortUpdated)
    if bookings.has_ended(session=session, keys=(f"cohort:{event.cohort.id}",)):
        return
    erased = erasure.erased_among(session=session, person_ids={r.id for r in event.recipients})
    for recipient in event.recipients:
        if recipient.id in erased:
            continue
        held = bookings.lock_recipient_bookings(
            session=session, recipient=recipient, cohort=event.cohort
        )
        if held and all(booking.status == Booking.CANCELLED for booking in held):
            continue  # they left the cohort; their cancellation is (or will be) handled
        synced = bookings.sync_recipient(session=session, recipient=recipient, cohort=event.cohort)
        _announce_synced(session, synced)


def on_cohort_cancelled(session: Session, event: Event) -> None:
    """Cancel every booking of the cohort still active."""
    assert isinstance(event, CohortCancelled)
    bookings.mark_ended(session=session, key=f"cohort:{event.cohort.id}")
    held = bookings.lock_cohort_bookings(session=session, cohort_id=event.cohort.id)
    # The scheduler's placeholder, when the affiliate gave no reason of its own, is not shown.
    said = "" if event.reason == "offering_cancelled" else event.reason.strip()
    changes = bookings.cancel_bookings(session=session, bookings=held, reason=said or None)
    _announce(session, changes)


def on_sign_in_requested(session: Session, event: Event) -> None:
    """Mail the one-time sign-in link, or the invitation carrying one: the only mail an address
    nobody has proven ever gets."""
    assert isinstance(event, SignInRequested)
    if as_utc(event.expires_at) <= utcnow():
        return  # arrived after the link expired (a backlog): a dead link would only confuse
    message = sign_in.sign_in_message(
        email=event.email,
        name=event.name,
        link=event.link,
        expires_at=event.expires_at,
        locale=event.locale,
        kind=event.kind,
        invited_by=event.invited_by,
        role_label=event.role_label,
    )
    inline.queue_messages(session, [message])


HANDLERS: dict[str, Handler] = {
    AccessRevoked.TYPE: revocations.apply,
    SignInRequested.TYPE: on_sign_in_requested,
    RegistrationConfirmed.TYPE: on_registration_confirmed,
    RegistrationWaitlisted.TYPE: on_registration_waitlisted,
    RegistrationCancelled.TYPE: on_registration_cancelled,
    FacilitatorAssigned.TYPE: on_facilitator_assigned,
    FacilitatorUnassigned.TYPE: on_facilitator_unassigned,
    CohortUpdated.TYPE: on_cohort_updated,
    CohortCancelled.TYPE: on_cohort_cancelled,
    PersonErased.TYPE: erasure.apply_person_erased,
    PersonUpdated.TYPE: updates.apply_person_updated,
    CompletionEarned.TYPE: certificates.on_completion_earned,
    CreditRevoked.TYPE: certificates.on_credit_revoked,
}
