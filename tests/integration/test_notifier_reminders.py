"""Reminders on PostgreSQL: computed with bookings, sent once by the sweep, re-checked at send time.

Sweeps run here with an explicit `now` at most a couple of weeks ahead, so the reminders of other
tests' bookings (two months ahead) never fall due in them.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from services.notifier.delivery.sending import send_deliveries
from services.notifier.models import Booking, Reminder
from services.notifier.reminders import send_due_reminders
from shared.columns import as_utc
from shared.events import CohortUpdated, Recipient, RegistrationCancelled, RegistrationConfirmed
from tests.support.notifier import (
    addressed_to,
    apply,
    calendar_of,
    cohort,
    forget_deliveries,
    local_smtp,
    meeting_at,
    new_id,
    person,
)
from tests.support.smtp import SmtpSink

bookings = Booking.__table__  # type: ignore[attr-defined]
reminders = Reminder.__table__  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    runtime.migrate()
    with SmtpSink() as server, local_smtp(server):
        yield server


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    someone = person()
    yield someone
    # Leave nothing pending that a later sweep could pick up.
    with runtime.engine().begin() as connection:
        ids = select(bookings.c.id).where(bookings.c.recipient_id == someone.id)
        connection.execute(
            update(reminders)
            .where(reminders.c.booking_id.in_(ids), reminders.c.status == "pending")
            .values(status="cancelled")
        )
    forget_deliveries(someone.email)


def reminders_of(recipient: Recipient) -> list[dict]:
    with runtime.engine().connect() as connection:
        query = (
            select(reminders)
            .join(bookings, bookings.c.id == reminders.c.booking_id)
            .where(bookings.c.recipient_id == recipient.id)
            .order_by(reminders.c.due_at)
        )
        rows = connection.execute(query).mappings().all()
    return [{**row, "due_at": as_utc(row["due_at"])} for row in rows]


def reminder_deliveries(recipient: Recipient) -> list[int]:
    with runtime.engine().connect() as connection:
        query = select(delivery.c.id).where(
            delivery.c.recipient == recipient.email.lower(), delivery.c.kind == "reminder"
        )
        return list(connection.execute(query).scalars())


def confirm(recipient: Recipient, starts: list[datetime]):
    booked = cohort([meeting_at(start) for start in starts])
    registration = new_id()
    apply(RegistrationConfirmed(registration_id=registration, educator=recipient, cohort=booked))
    return booked, registration


def soon(**delta: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(**delta)


def test_due_reminder_is_sent_exactly_once(sink: SmtpSink, educator: Recipient) -> None:
    start = soon(hours=24, minutes=10)
    confirm(educator, [start, start + timedelta(days=7)])
    rows = {(r["offset_label"], r["due_at"]): r["status"] for r in reminders_of(educator)}
    # Booked less than a week ahead: the 168 h reminder is already past and skipped.
    assert rows == {
        ("168h", start - timedelta(hours=168)): "skipped",
        ("24h", start - timedelta(hours=24)): "pending",
        ("24h", start + timedelta(days=6)): "pending",
    }
    assert send_due_reminders(runtime.engine(), now=soon(minutes=5)) == 0
    later = soon(minutes=15)
    assert send_due_reminders(runtime.engine(), now=later) == 1
    assert send_due_reminders(runtime.engine(), now=later) == 0
    (delivery_id,) = reminder_deliveries(educator)
    assert send_deliveries(runtime.engine(), [delivery_id], drain=False).sent == 1
    (message,) = [m.parsed() for m in addressed_to(sink.messages, educator.email)[-1:]]
    assert message["X-Cohort-Kind"] == "reminder"
    assert calendar_of(message) == (None, None)
    assert send_deliveries(runtime.engine(), [delivery_id], drain=False).sent == 0


def test_first_meeting_gets_the_week_ahead_reminder(educator: Recipient) -> None:
    start = soon(days=10)
    confirm(educator, [start, start + timedelta(days=7)])
    rows = sorted((r["offset_label"], r["due_at"]) for r in reminders_of(educator))
    assert rows == [
        ("168h", start - timedelta(hours=168)),
        ("24h", start - timedelta(hours=24)),
        ("24h", start + timedelta(days=6)),
    ]


def test_cancelled_booking_gets_no_reminder(educator: Recipient) -> None:
    start = soon(days=3)
    booked, registration = confirm(educator, [start])
    apply(
        RegistrationCancelled(
            registration_id=registration,
            educator=educator,
            offering_id=booked.offering_id,
            previous_status="confirmed",
            reason="by_educator",
            cohort=booked,
        )
    )
    statuses = {r["offset_label"]: r["status"] for r in reminders_of(educator)}
    assert statuses == {"168h": "skipped", "24h": "cancelled"}
    send_due_reminders(runtime.engine(), now=start - timedelta(hours=1))
    assert reminder_deliveries(educator) == []


def test_moved_meeting_moves_its_reminder(educator: Recipient) -> None:
    start = soon(days=4)
    booked, _ = confirm(educator, [start])
    moved_start = start + timedelta(days=2)
    moved = meeting_at(moved_start).model_copy(update={"id": booked.meetings[0].id})
    changed = booked.model_copy(update={"meetings": [moved]})
    apply(CohortUpdated(cohort=changed, changed=["meetings"], recipients=[educator]))
    (reminder,) = [r for r in reminders_of(educator) if r["offset_label"] == "24h"]
    assert reminder["due_at"] == moved_start - timedelta(hours=24)
    assert reminder["status"] == "pending"
    # At the old due time nothing goes; at the new one the reminder does.
    assert send_due_reminders(runtime.engine(), now=start - timedelta(hours=23)) == 0
    assert send_due_reminders(runtime.engine(), now=moved_start - timedelta(hours=23)) == 1
    assert len(reminder_deliveries(educator)) == 1


def test_missed_while_down_is_sent_unless_the_meeting_started(educator: Recipient) -> None:
    start = soon(days=2)
    confirm(educator, [start, start + timedelta(days=1)])
    # Down from before the first reminder until after the first meeting started: the first
    # meeting's reminder is pointless now, the second's (due while down) still goes out.
    assert send_due_reminders(runtime.engine(), now=start + timedelta(minutes=30)) == 1
    statuses = {r["due_at"]: r["status"] for r in reminders_of(educator)}
    assert statuses[start - timedelta(hours=24)] == "skipped"
    assert statuses[start] == "sent"
    assert len(reminder_deliveries(educator)) == 1
