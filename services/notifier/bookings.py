"""The notifier's projection of bookings: who holds which meeting, with which UID and SEQUENCE.

Every change here is decided from the stored state and the event's state, never from the event
alone, so a redelivered or late event changes nothing it should not.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.notifier import domain
from services.notifier.domain import MeetingPlan
from services.notifier.models import Booking, Ended
from services.notifier.rendering import content, ical, mime
from shared.columns import utcnow
from shared.db import is_sqlite
from shared.events import Cohort, Recipient
from shared.settings import get_settings


@dataclass(frozen=True)
class Change:
    """A booking the recipient must hear about, and how (invite, update, cancel ...)."""

    booking: Booking
    kind: str
    changed: tuple[str, ...] = ()
    # What the recipient was last sent of the meeting, for an update to say what changed.
    before: content.Before | None = None
    # The affiliate's own words for a cancellation, when it gave some.
    reason: str | None = None


@dataclass(frozen=True)
class Synced:
    """What syncing one recipient with a cohort did, and their bookings of it afterwards."""

    changes: list[Change]
    # Every booking of the recipient in the cohort (any status), as locked and written now.
    bookings: list[Booking]
    # Ids of the bookings this sync created: nothing else (no reminder) can refer to them yet.
    fresh: frozenset[int]


def mark_ended(*, session: Session, key: str) -> None:
    """Record that something is over for good ("cohort:7", "registration:12")."""
    dialect_insert = sqlite_insert if is_sqlite(session.get_bind()) else pg_insert  # type: ignore[arg-type]
    table = Ended.__table__  # type: ignore[attr-defined]
    session.execute(
        dialect_insert(table).values(key=key, ended_at=utcnow()).on_conflict_do_nothing()
    )


# Statements of the per-event path, built once (building one per call costs more than its trip).
_ENDED = select(Ended.key).where(col(Ended.key).in_(bindparam("keys", expanding=True))).limit(1)
_RECIPIENT_BOOKINGS = (
    select(Booking)
    .where(
        Booking.recipient_kind == bindparam("kind"),
        Booking.recipient_id == bindparam("recipient_id"),
        or_(
            col(Booking.cohort_id) == bindparam("cohort_id"),
            col(Booking.meeting_id).in_(bindparam("meeting_ids", expanding=True)),
        ),
    )
    # Rows are always locked in id order, so two handlers never wait on each other in a cycle.
    .order_by(col(Booking.id))
    .with_for_update()
)


def has_ended(*, session: Session, keys: Iterable[str]) -> bool:
    """Tell whether any of these keys was ended before."""
    return session.execute(_ENDED, {"keys": list(keys)}).first() is not None


def ended_keys(*, session: Session, keys: Iterable[str]) -> set[str]:
    """Those of these keys that were ended before."""
    query = select(Ended.key).where(col(Ended.key).in_(list(keys)))
    return set(session.exec(query).all())


def holds_seat(*, session: Session, source: str) -> bool:
    """Tell whether a registration or assignment has booked any meeting yet."""
    return (
        session.exec(select(Booking.id).where(Booking.source == source).limit(1)).first()
        is not None
    )


def lock_recipient_bookings(
    *, session: Session, recipient: Recipient, cohort: Cohort
) -> list[Booking]:
    """A recipient's bookings of a cohort or of its meetings, locked for update."""
    params = {
        "kind": recipient.kind,
        "recipient_id": recipient.id,
        "cohort_id": cohort.id,
        "meeting_ids": [meeting.id for meeting in cohort.meetings] or [0],
    }
    return list(session.execute(_RECIPIENT_BOOKINGS, params).scalars())


def find_cohort_bookings(
    *, session: Session, recipient_kind: str, recipient_id: int, cohort_id: int
) -> list[Booking]:
    """A recipient's bookings (any status) in one cohort."""
    query = select(Booking).where(
        Booking.recipient_kind == recipient_kind,
        Booking.recipient_id == recipient_id,
        Booking.cohort_id == cohort_id,
    )
    return list(session.exec(query).all())


def lock_cohort_bookings(*, session: Session, cohort_id: int) -> list[Booking]:
    """Every active booking of a cohort, locked for update."""
    query = select(Booking).where(Booking.cohort_id == cohort_id, Booking.status == Booking.ACTIVE)
    return list(session.exec(query.order_by(col(Booking.id)).with_for_update()).all())


def _apply(booking: Booking, plan: MeetingPlan, recipient: Recipient, cohort: Cohort) -> None:
    booking.recipient_email = recipient.email
    booking.recipient_name = recipient.name
    booking.recipient_timezone = recipient.timezone
    booking.recipient_locale = recipient.locale
    booking.cohort_id = cohort.id
    booking.offering_id = cohort.offering_id
    booking.starts_at = plan.starts_at
    booking.ends_at = plan.ends_at
    booking.timezone = plan.timezone
    booking.title = plan.title
    booking.description = plan.description
    booking.program_title = plan.program_title
    booking.affiliate_name = plan.affiliate_name
    booking.sensitive = plan.sensitive
    booking.location = plan.location
    booking.join_url = plan.join_url
    booking.pd_hours = plan.pd_hours
    booking.reply_to = plan.reply_to
    booking.updated_at = utcnow()


def _new_booking(recipient: Recipient, plan: MeetingPlan, cohort: Cohort, source: str) -> Booking:
    uid = ical.meeting_uid(
        meeting_id=plan.meeting_id,
        recipient_kind=recipient.kind,
        recipient_id=recipient.id,
        domain=mime.mail_domain(get_settings().cohort_mail_from),
    )
    booking = Booking(
        recipient_kind=recipient.kind,
        recipient_id=recipient.id,
        recipient_email=recipient.email,
        recipient_name=recipient.name,
        meeting_id=plan.meeting_id,
        cohort_id=cohort.id,
        offering_id=cohort.offering_id,
        source=source,
        uid=uid,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        timezone=plan.timezone,
        title=plan.title,
    )
    _apply(booking, plan, recipient, cohort)
    return booking


@dataclass
class _Sync:
    """One recipient's sync with a cohort under way: what it wrote and what they must hear."""

    recipient: Recipient
    cohort: Cohort
    source: str
    may_reactivate: bool
    changes: list[Change] = field(default_factory=list)
    created: list[Booking] = field(default_factory=list)

    def book(self, session: Session, plan: MeetingPlan) -> None:
        """A meeting the recipient holds no booking of: book it (invite)."""
        booking = _new_booking(self.recipient, plan, self.cohort, self.source)
        session.add(booking)
        self.created.append(booking)
        self.changes.append(Change(booking, domain.invite_kind(self.recipient.kind)))

    def reactivate(self, booking: Booking, plan: MeetingPlan) -> None:
        """A cancelled booking comes back only when a different source now holds it."""
        if not self.may_reactivate or booking.source == self.source:
            return
        _apply(booking, plan, self.recipient, self.cohort)
        booking.status, booking.source = Booking.ACTIVE, self.source
        booking.sequence += 1
        self.changes.append(Change(booking, domain.invite_kind(self.recipient.kind)))

    def refresh(self, booking: Booking, plan: MeetingPlan) -> None:
        """An active booking takes the meeting's state; a visible change bumps SEQUENCE."""
        changed = domain.visible_changes(booking, plan)
        before = domain.seen_before(booking)
        _apply(booking, plan, self.recipient, self.cohort)
        booking.source = self.source or booking.source
        if changed:
            booking.sequence += 1
            self.changes.append(Change(booking, content.UPDATE, changed, before))


def sync_recipient(
    *,
    session: Session,
    recipient: Recipient,
    cohort: Cohort,
    source: str = "",
    may_reactivate: bool = False,
) -> Synced:
    """Make a recipient's bookings match the cohort's meetings; return what they must be told.

    Missing meetings are booked (invite), changed ones updated (SEQUENCE+1), meetings the cohort
    no longer has cancelled. A cancelled booking comes back only when `may_reactivate` and a
    different source (a new registration or assignment) now holds it.
    """
    held = lock_recipient_bookings(session=session, recipient=recipient, cohort=cohort)
    existing = {booking.meeting_id: booking for booking in held}
    sync = _Sync(recipient, cohort, source, may_reactivate)
    plans = domain.plan_cohort(cohort)
    for plan in plans:
        booking = existing.get(plan.meeting_id)
        if booking is None:
            sync.book(session, plan)
        elif booking.status == Booking.CANCELLED:
            sync.reactivate(booking, plan)
        else:
            sync.refresh(booking, plan)
    planned = {plan.meeting_id for plan in plans}
    gone = [
        b for b in existing.values() if b.cohort_id == cohort.id and b.meeting_id not in planned
    ]
    sync.changes += cancel_bookings(session=session, bookings=gone)
    session.flush()
    return _synced(sync, [*existing.values(), *sync.created])


def _synced(sync: _Sync, held: list[Booking]) -> Synced:
    return Synced(
        changes=sync.changes,
        bookings=[b for b in held if b.cohort_id == sync.cohort.id],
        fresh=frozenset(b.id for b in sync.created if b.id is not None),
    )


def cancel_bookings(
    *, session: Session, bookings: Iterable[Booking], reason: str | None = None
) -> list[Change]:
    """Cancel the still-active bookings among these (a cancelled one is never cancelled twice)."""
    changes = []
    for booking in bookings:
        if booking.status != Booking.ACTIVE:
            continue
        booking.status = Booking.CANCELLED
        booking.sequence += 1
        booking.updated_at = utcnow()
        session.add(booking)
        # A sensitive program's cancellation stays neutral: the affiliate may have named it.
        said = None if booking.sensitive else reason
        changes.append(Change(booking, domain.cancel_kind(booking.recipient_kind), reason=said))
    if changes:
        session.flush()
    return changes
