"""An offering's meetings: planning a new list from a request and storing it with stable ids."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from services.registry import domain
from services.registry.domain import MeetingRequest, Span
from services.registry.models_offering import Meeting, Offering, OfferingUpdate
from shared.columns import as_utc

PlannedMeeting = tuple[int | None, Span]


def offering_meetings(session: Session, offering: Offering) -> list[Meeting]:
    """The stored meetings of an offering."""
    return list(session.exec(select(Meeting).where(Meeting.offering_id == offering.id)))


def plan_meetings(
    changes: OfferingUpdate, existing: list[Meeting], zone: ZoneInfo, *, published: bool
) -> list[PlannedMeeting]:
    """The meetings an offering will have: as they are, or as a PATCH lists them (a published
    offering's new or moved meetings must lie in the future)."""
    current = {m.id: Span(as_utc(m.starts_at_utc), as_utc(m.ends_at_utc)) for m in existing if m.id}
    if "meetings" not in changes.model_fields_set or changes.meetings is None:
        return list(current.items())
    requested = [MeetingRequest(m.starts_at, m.ends_at, m.id) for m in changes.meetings]
    domain.check_meeting_ids([m.id for m in requested], set(current))
    spans = domain.meeting_spans(requested, zone)
    planned = [(m.id, span) for m, span in zip(requested, spans, strict=True)]
    if published:
        domain.check_future_meetings(planned, current, datetime.now(UTC))
    return planned


def replace_meetings(
    session: Session,
    offering: Offering,
    planned: list[PlannedMeeting],
    *,
    existing: list[Meeting],
) -> None:
    """Make an offering's meeting rows match the plan: keep ids given, add new, drop the rest."""
    assert offering.id is not None
    by_id = {meeting.id: meeting for meeting in existing}
    kept = {meeting_id for meeting_id, _ in planned if meeting_id is not None}
    for meeting in existing:
        if meeting.id not in kept:
            session.delete(meeting)
    for meeting_id, span in planned:
        meeting = by_id.get(meeting_id) or Meeting(offering_id=offering.id)
        meeting.starts_at_utc = span.starts_at_utc
        meeting.ends_at_utc = span.ends_at_utc
        session.add(meeting)
    offering.first_starts_at_utc = min(span.starts_at_utc for _, span in planned)
    offering.last_ends_at_utc = max(span.ends_at_utc for _, span in planned)
    session.flush()
