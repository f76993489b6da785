"""Complete pictures of cohorts and people for events, so consumers never call back."""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from services.scheduler.domain import as_utc
from services.scheduler.models import (
    Assignment,
    Cohort,
    Educator,
    Facilitator,
    Meeting,
    Offering,
    Registration,
)
from services.scheduler.registration_parties import EducatorFacts, OfferingFacts
from shared import events


def meeting_snapshot(meeting: Meeting, timezone: str) -> events.Meeting:
    """A meeting with its local times (with offset) and their UTC twins."""
    zone = ZoneInfo(timezone)
    starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
    return events.Meeting(
        id=meeting.id,
        starts_at=starts.astimezone(zone),
        ends_at=ends.astimezone(zone),
        starts_at_utc=starts,
        ends_at_utc=ends,
        timezone=timezone,
    )


def offering_meetings(session: Session, offering_id: int) -> list[Meeting]:
    """An offering's meetings in time order."""
    query = (
        select(Meeting)
        .where(Meeting.offering_id == offering_id)
        .order_by(col(Meeting.starts_at_utc), col(Meeting.id))
    )
    return list(session.exec(query).all())


def cohort_snapshot(
    offering: Offering, cohort: Cohort, meetings: Sequence[Meeting]
) -> events.Cohort:
    """A cohort with title, program, place, link and meetings."""
    return cohort_picture(offering, meetings, cohort_id=cohort.id or 0, index=cohort.index)


def cohort_picture(
    offering: Offering, meetings: Sequence[Meeting], *, cohort_id: int, index: int
) -> events.Cohort:
    """The picture of the offering's cohort number `index` (id `cohort_id`)."""
    return events.Cohort(
        id=cohort_id,
        index=index,
        offering_id=offering.id,
        affiliate_name=offering.affiliate_name,
        program_code=offering.program_code,
        program_title=offering.program_title,
        sensitive=offering.sensitive,
        title=offering.title,
        description=offering.description,
        format=offering.format,
        timezone=offering.timezone,
        venue=events.Venue.model_validate(offering.venue) if offering.venue else None,
        join_url=offering.join_url,
        pd_hours=offering.pd_hours,
        meetings=[meeting_snapshot(m, offering.timezone) for m in meetings],
    )


def educator_recipient(educator: Educator | EducatorFacts) -> events.Recipient:
    """An educator as a message recipient."""
    return events.Recipient(
        kind="educator",
        id=educator.id or 0,
        name=educator.name,
        email=educator.email,
        timezone=educator.timezone,
    )


def facilitator_recipient(facilitator: Facilitator) -> events.Recipient:
    """A facilitator as a message recipient."""
    return events.Recipient(
        kind="facilitator",
        id=facilitator.id or 0,
        name=facilitator.name,
        email=facilitator.email,
        timezone=facilitator.timezone,
    )


def cohort_recipients(
    session: Session, cohort_id: int, *, except_facilitators: Sequence[int] = ()
) -> list[events.Recipient]:
    """Everyone booked on a cohort: confirmed educators, then active facilitators."""
    educators = session.exec(
        select(Educator)
        .join(Registration, col(Registration.educator_id) == col(Educator.id))
        .where(Registration.cohort_id == cohort_id, Registration.status == "confirmed")
        .order_by(col(Registration.id))
    ).all()
    facilitators = session.exec(
        select(Facilitator)
        .join(Assignment, col(Assignment.facilitator_id) == col(Facilitator.id))
        .where(Assignment.cohort_id == cohort_id, Assignment.status == "active")
        .order_by(col(Assignment.id))
    ).all()
    return [educator_recipient(e) for e in educators] + [
        facilitator_recipient(f) for f in facilitators if f.id not in except_facilitators
    ]


def confirm_event(
    offering: Offering,
    cohort: Cohort,
    meetings: Sequence[Meeting],
    registration: Registration,
    educator: Educator,
    *,
    promoted: bool,
) -> events.RegistrationConfirmed:
    """The event telling an educator they hold a seat."""
    return events.RegistrationConfirmed(
        registration_id=registration.id or 0,
        educator=educator_recipient(educator),
        cohort=cohort_snapshot(offering, cohort, meetings),
        promoted_from_waitlist=promoted,
    )


def cancellation_event(
    registration: Registration, educator: Educator, previous: str, cohort: events.Cohort | None
) -> events.RegistrationCancelled:
    """The event telling an educator their registration ended (the reason is on the row)."""
    assert registration.cancel_reason is not None, "set the reason before telling anyone"
    return events.RegistrationCancelled(
        registration_id=registration.id or 0,
        educator=educator_recipient(educator),
        offering_id=registration.offering_id,
        previous_status=previous,
        reason=registration.cancel_reason,
        cohort=cohort,
    )


def waitlist_event(
    offering: OfferingFacts,
    meetings: Sequence[events.Meeting],
    registration_id: int,
    educator: EducatorFacts,
    position: int,
) -> events.RegistrationWaitlisted:
    """The event telling an educator where they wait."""
    return events.RegistrationWaitlisted(
        registration_id=registration_id,
        educator=educator_recipient(educator),
        offering_id=offering.id,
        offering_title=offering.title,
        program_title=offering.program_title,
        sensitive=offering.sensitive,
        timezone=offering.timezone,
        position=position,
        meetings=list(meetings),
    )
