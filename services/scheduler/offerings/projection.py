"""The registry's offerings as the scheduler holds them, kept current from offering events.

Applying is idempotent and tolerates out-of-order delivery: a state not newer than the stored
one (by the registry's `version` of the offering; by its `updated_at` when either state lacks a
version) is ignored, a cancelled offering stays cancelled, and an update that arrives before its
publish creates the offering.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.scheduler.locks import lock_offering
from services.scheduler.models import Meeting, Offering, utcnow
from services.scheduler.offerings.rules import VISIBLE_FIELDS, Interval
from services.scheduler.registrations.seats import open_next_cohort
from services.scheduler.snapshots import offering_meetings
from shared import events
from shared.columns import as_utc

COPIED_FIELDS = (
    "affiliate_id",
    "affiliate_name",
    "affiliate_contact_email",
    "affiliate_state",
    "program_code",
    "program_title",
    "sensitive",
    "facilitators_required",
    "pd_hours",
    "completion_percent",
    "title",
    "description",
    "format",
    "timezone",
    "join_url",
    "capacity",
    "max_cohorts",
)


def offering_fields(state: events.Offering) -> dict[str, Any]:
    """The projection's columns from an offering state."""
    fields = {name: getattr(state, name) for name in COPIED_FIELDS}
    fields["venue"] = state.venue.model_dump() if state.venue else None
    fields["registration_closes_at_utc"] = registration_deadline(state)
    fields["source_version"] = state.version
    fields["source_updated_at"] = state.updated_at
    return fields


def registration_deadline(state: events.Offering) -> datetime | None:
    """When registration closes: the registry's deadline, else when the first meeting starts."""
    if state.registration_closes_at_utc is not None:
        return as_utc(state.registration_closes_at_utc)
    return min((as_utc(m.starts_at_utc) for m in state.meetings), default=None)


def visible_state(offering: Offering) -> dict[str, object]:
    """What booked people can see of an offering (compared to detect changes)."""
    return {name: getattr(offering, name) for name in VISIBLE_FIELDS if name != "meetings"}


def meeting_intervals(meetings: Sequence[Meeting]) -> dict[int, Interval]:
    """Meetings by id as UTC intervals."""
    return {m.id: (as_utc(m.starts_at_utc), as_utc(m.ends_at_utc)) for m in meetings}


def lock_or_create(session: Session, state: events.Offering, status: str) -> tuple[Offering, bool]:
    """Lock the offering's row, creating it from `state` first if it is new; True if created."""
    offering = lock_offering(session, state.id)
    if offering is not None:
        return offering, False
    try:
        with session.begin_nested():
            session.add(Offering(id=state.id, status=status, **offering_fields(state)))
            session.flush()
    except IntegrityError:
        # Another worker created it meanwhile; take its row instead.
        offering = lock_offering(session, state.id)
        assert offering is not None
        return offering, False
    offering = lock_offering(session, state.id)
    assert offering is not None
    return offering, True


def store_state(session: Session, offering: Offering, state: events.Offering) -> None:
    """Copy an offering state onto the projection row."""
    for name, value in offering_fields(state).items():
        setattr(offering, name, value)
    offering.updated_at = utcnow()
    session.add(offering)
    session.flush()


def replace_meetings(session: Session, offering_id: int, state: events.Offering) -> list[Meeting]:
    """Make the stored meetings those of `state`; return them in time order."""
    wanted = {m.id: m for m in state.meetings}
    session.execute(
        delete(Meeting).where(
            col(Meeting.offering_id) == offering_id, col(Meeting.id).not_in(list(wanted) or [-1])
        )
    )
    stored = {m.id: m for m in offering_meetings(session, offering_id)}
    for meeting_id, meeting in wanted.items():
        row = stored.get(meeting_id) or Meeting(id=meeting_id, offering_id=offering_id)
        row.starts_at_utc = as_utc(meeting.starts_at_utc)
        row.ends_at_utc = as_utc(meeting.ends_at_utc)
        session.add(row)
    session.flush()
    return offering_meetings(session, offering_id)


def create_published(session: Session, offering: Offering, state: events.Offering) -> None:
    """A newly published offering: its meetings and its first cohort, staffed if possible."""
    meetings = replace_meetings(session, offering.id, state)
    open_next_cohort(
        session=session, offering=offering, seats=(), meetings=meetings, on_demand=False
    )
