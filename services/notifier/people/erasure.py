"""Erasure (`person.erased`): the person's name and email leave the notifier; its rows stay.

Their bookings are blanked and cancelled without a word (reminders with them), their feed secret
is forgotten, their certificates lose the name but stay verifiable, their ledger rows are
readdressed to a stand-in and lose their bodies, and what was still to be sent fails as
"recipient erased". The person is recorded as ended ("person:<id>"), so
later events about them (the scheduler keeps their registrations) book and mail nobody.
Applying it again finds nothing left to change.
"""

import hashlib
from collections.abc import Iterable
from functools import partial

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from services.notifier import bookings, feeds
from services.notifier.database import runtime
from services.notifier.models import Booking, Certificate, Delivery, Reminder
from services.notifier.rendering.outgoing import RECIPIENT_ERASED
from shared import erasure, outbox
from shared.columns import utcnow
from shared.events import Event, PersonErased

UNSENT = (Delivery.QUEUED, Delivery.SENDING)
VARIANT_LENGTH = 64


def person_key(person_id: int) -> str:
    """The `Ended` key recording that a person was erased."""
    return f"person:{person_id}"


def erased_among(*, session: Session, person_ids: Iterable[int]) -> set[int]:
    """Which of these people were erased."""
    keys = {person_key(person_id): person_id for person_id in person_ids}
    if not keys:
        return set()
    return {keys[key] for key in bookings.ended_keys(session=session, keys=keys)}


def _blank_bookings(session: Session, person: erasure.Person) -> None:
    query = (
        select(Booking)
        .where(Booking.recipient_id == person.person_id)
        .order_by(col(Booking.id))
        .with_for_update()
    )
    held = list(session.exec(query).all())
    person.learn([b.recipient_email for b in held], [b.recipient_name for b in held])
    for booking in held:
        booking.recipient_name = erasure.ERASED_NAME
        booking.recipient_email = erasure.erased_email(person.person_id)
        booking.recipient_timezone = None
        booking.status = Booking.CANCELLED
        session.add(booking)
    session.flush()
    ids = [booking.id for booking in held]
    session.execute(
        update(Reminder)
        .where(col(Reminder.booking_id).in_(ids or [0]), col(Reminder.status) == Reminder.PENDING)
        .values(status=Reminder.CANCELLED)
    )


def _their_deliveries(session: Session, person: erasure.Person) -> list[Delivery]:
    """The person's ledger rows (by person id, or by an address of theirs), locked."""
    addresses = [*sorted(person.emails), erasure.erased_email(person.person_id)]
    query = (
        select(Delivery)
        .where(
            or_(col(Delivery.person_id) == person.person_id, col(Delivery.recipient).in_(addresses))
        )
        .order_by(col(Delivery.id))
        .with_for_update()
    )
    return list(session.exec(query).all())


def _blank_delivery(row: Delivery, person: erasure.Person, variant: str) -> None:
    row.recipient, row.variant = erasure.erased_email(person.person_id), variant
    if row.message:
        row.message_sha256 = row.message_sha256 or hashlib.sha256(row.message).hexdigest()
        row.message, row.trimmed_at = b"", row.trimmed_at or utcnow()
    if row.status in UNSENT:
        row.status, row.error = Delivery.FAILED, RECIPIENT_ERASED
        row.claim = row.lease_until = None
    elif row.error:
        for address in person.emails:
            row.error = row.error.replace(address, erasure.erased_email(person.person_id))


def _blank_deliveries(session: Session, person: erasure.Person) -> None:
    rows = _their_deliveries(session, person)
    person.learn([row.recipient for row in rows if row.person_id == person.person_id], [])
    rows = _their_deliveries(session, person)  # again, with the addresses just learnt
    # Once they share one address, two rows may have the same key; the later one says so.
    taken: set[tuple[int, str, int, str]] = set()
    for row in rows:
        key = (row.meeting_id, row.kind, row.sequence, row.variant)
        variant = row.variant if key not in taken else f"{row.variant}~{row.id}"[-VARIANT_LENGTH:]
        taken.add((row.meeting_id, row.kind, row.sequence, variant))
        _blank_delivery(row, person, variant)
        session.add(row)
    session.flush()


def apply_person_erased(session: Session, event: Event) -> None:
    """Blank the person's name and email everywhere in the notifier's database."""
    assert isinstance(event, PersonErased)
    person = erasure.Person(event.person_id)
    bookings.mark_ended(session=session, key=person_key(person.person_id))
    _blank_bookings(session, person)
    _blank_deliveries(session, person)
    feeds.remove_feed(session=session, person_id=person.person_id)
    runtime.audit.forget_actor(session.connection(), person.person_id)
    # Certificates stay true and verifiable; only the name goes (verify shows a placeholder).
    session.execute(
        update(Certificate)
        .where(col(Certificate.person_id) == person.person_id)
        .values(educator_name="")
    )
    rewrite = partial(erasure.scrub, person=person)
    outbox.rewrite_payloads(
        session.connection(), runtime.bus_tables, erasure.mentions(person), rewrite
    )
