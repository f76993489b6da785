"""Reminders: rows kept in step with bookings, sent by a sweep once due and still meaningful.

Rules: with COHORT_REMINDER_OFFSETS "168h,24h" a recipient hears 168 h before the first meeting
of their bookings in a cohort and 24 h before every meeting (elapsed time, see zones.py). A
reminder already due when it is computed (a late booking, a meeting moved closer) is skipped; one
that fell due while the notifier was down is sent when it comes back unless the meeting started.
When several reminders of one meeting are due at once only the latest-due one goes out.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.notifier import domain
from services.notifier.delivery import ledger
from services.notifier.models import Booking, Reminder
from services.notifier.rendering import outgoing, zones
from shared.columns import as_utc, utcnow
from shared.db import is_sqlite
from shared.settings import get_settings

log = logging.getLogger(__name__)

SWEEP_LIMIT = 500


def due_at(booking: Booking, before: timedelta) -> datetime:
    """The UTC instant a reminder `before` a booked meeting is due."""
    local_start = as_utc(booking.starts_at).astimezone(ZoneInfo(booking.timezone))
    return as_utc(zones.reminder_instant(local_start, before))


def _wanted(bookings: Sequence[Booking]) -> dict[tuple[int, str], tuple[datetime, int]]:
    offsets = domain.parse_offsets(get_settings().cohort_reminder_offsets)
    active = sorted(
        (b for b in bookings if b.status == Booking.ACTIVE),
        key=lambda b: (as_utc(b.starts_at), b.id),
    )
    wanted = {}
    for index, booking in enumerate(active):
        assert booking.id is not None
        for offset in domain.reminder_offsets_for(offsets, is_first_meeting=index == 0):
            wanted[(booking.id, offset.label)] = (
                due_at(booking, offset.before),
                int(offset.before.total_seconds()),
            )
    return wanted


_REMINDERS_OF = (
    select(Reminder)
    .where(col(Reminder.booking_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(Reminder.id))
    .with_for_update()
)
_ADD_REMINDERS = insert(Reminder.__table__)  # type: ignore[attr-defined]


def schedule_reminders(
    *, session: Session, bookings: Sequence[Booking], fresh: frozenset[int] = frozenset()
) -> None:
    """Bring the reminders of one recipient's bookings in a cohort in line with those bookings;
    `fresh` bookings were created in this transaction, so they have no reminders to look up."""
    now = utcnow()
    ids = [b.id for b in bookings if b.id is not None and b.id not in fresh]
    sequence = {b.id: b.sequence for b in bookings}
    wanted = _wanted(bookings)
    existing = session.execute(_REMINDERS_OF, {"ids": ids}).scalars() if ids else ()
    for reminder in existing:
        want = wanted.pop((reminder.booking_id, reminder.offset_label), None)
        if want is None:
            if reminder.status == Reminder.PENDING:
                reminder.status = Reminder.CANCELLED
        elif as_utc(reminder.due_at) != want[0]:
            reminder.due_at = want[0]
            reminder.status = Reminder.PENDING if want[0] > now else Reminder.SKIPPED
            reminder.sequence = sequence[reminder.booking_id]
        elif reminder.status in (Reminder.PENDING, Reminder.CANCELLED):
            reminder.status = Reminder.PENDING if want[0] > now else Reminder.SKIPPED
            reminder.sequence = sequence[reminder.booking_id]
        session.add(reminder)
    session.flush()
    added = [
        {
            "booking_id": booking_id,
            "offset_label": label,
            "before_seconds": before,
            "due_at": due,
            "sequence": sequence[booking_id],
            "status": Reminder.PENDING if due > now else Reminder.SKIPPED,
            "sent_at": None,
            "delivery_id": None,
        }
        for (booking_id, label), (due, before) in wanted.items()
    ]
    if added:  # one multi-row INSERT; nothing in the transaction reads these rows back
        session.execute(_ADD_REMINDERS, added)


def _due(session: Session, now: datetime) -> list[Reminder]:
    query = (
        select(Reminder)
        .where(Reminder.status == Reminder.PENDING, Reminder.due_at <= now)
        .order_by(col(Reminder.due_at))
        .limit(SWEEP_LIMIT)
    )
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def _still_due(reminder: Reminder, booking: Booking, now: datetime) -> bool:
    """Re-check at send time: booking active, meeting not started, due time still right."""
    if booking.status != Booking.ACTIVE:
        reminder.status = Reminder.CANCELLED
        return False
    if as_utc(booking.starts_at) <= now:
        reminder.status = Reminder.SKIPPED
        return False
    if reminder.sequence != booking.sequence:
        due = due_at(booking, timedelta(seconds=reminder.before_seconds))
        reminder.sequence = booking.sequence
        if due != as_utc(reminder.due_at):
            reminder.due_at = due
            return due <= now
    return True


def _bookings(session: Session, ids: set[int]) -> dict[int, Booking]:
    """The bookings of due reminders; on PostgreSQL one a handler is changing right now is
    skipped (it is left for the next sweep, the handler recomputing its reminders anyway)."""
    query = select(Booking).where(col(Booking.id).in_(ids or {0})).order_by(col(Booking.id))
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return {booking.id: booking for booking in session.exec(query).all() if booking.id}


def send_due_reminders(engine: Engine, now: datetime | None = None) -> int:
    """Queue every reminder now due in the ledger; return how many were queued."""
    now = now or utcnow()
    with Session(engine, expire_on_commit=False) as session:
        due = _due(session, now)
        bookings = _bookings(session, {reminder.booking_id for reminder in due})
        latest: dict[int, Reminder] = {}
        for reminder in due:
            booking = bookings.get(reminder.booking_id)
            if booking is None or not _still_due(reminder, booking, now):
                continue
            earlier = latest.get(reminder.booking_id)
            if earlier is not None:
                earlier.status = Reminder.SKIPPED
            latest[reminder.booking_id] = reminder
        for reminder in latest.values():
            message = outgoing.reminder_message(
                bookings[reminder.booking_id], reminder.offset_label
            )
            reminder.delivery_id = ledger.queue_message(session, message)
            reminder.status, reminder.sent_at = Reminder.SENT, now
        session.add_all(due)
        session.commit()
    if latest:
        log.info("reminders queued", extra={"count": len(latest)})
    return len(latest)
