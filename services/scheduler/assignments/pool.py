"""The facilitator pool and its bookings as the matcher sees them, and their row locks."""

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.assignments.engine import (
    Booking,
    CohortNeed,
    FacilitatorProfile,
    MeetingSlot,
    Window,
)
from services.scheduler.models import Facilitator, FacilitatorBooking, Meeting, Offering
from shared.columns import as_utc

# Bookings this far around a cohort's meetings matter: clashes, and the monthly cap.
BOOKING_HORIZON = timedelta(days=32)


def facilitator_profile(row: Facilitator) -> FacilitatorProfile:
    """What the matcher needs to know about a facilitator."""
    return FacilitatorProfile(
        id=row.id or 0,
        name=row.name,
        timezone=row.timezone,
        certifications=frozenset(row.certifications),
        home_state=row.home_state,
        max_sessions_per_month=row.max_sessions_per_month,
        availability=tuple(
            Window(w["weekday"], domain.parse_clock(w["start"]), domain.parse_clock(w["end"]))
            for w in row.availability
        ),
        serves_only=None if row.shared else row.affiliate_id,
    )


def cohort_need(
    offering: Offering, cohort_id: int, meetings: Sequence[Meeting], required: int
) -> CohortNeed:
    """A cohort's staffing need as the matcher sees it."""
    venue = offering.venue or {}
    return CohortNeed(
        cohort_id=cohort_id,
        program_code=offering.program_code,
        format=offering.format,
        city=venue.get("city"),
        state=venue.get("state"),
        facilitators_required=required,
        affiliate_id=offering.affiliate_id,
        meetings=tuple(
            MeetingSlot(m.id, as_utc(m.starts_at_utc), as_utc(m.ends_at_utc)) for m in meetings
        ),
    )


def load_profiles(
    session: Session, ids: Iterable[int] | None = None, *, certified_for: str | None = None
) -> list[FacilitatorProfile]:
    """Facilitators (all, those with the given ids, or those certified for a program)."""
    # A facilitator who has not proven their address is never booked (nor mailed).
    query = select(Facilitator).where(col(Facilitator.verified)).order_by(col(Facilitator.id))
    if ids is not None:
        query = query.where(col(Facilitator.id).in_(list(ids)))
    if certified_for is not None:
        # A coarse filter on the stored JSON text, portable across databases; the matcher
        # checks certifications exactly.
        quoted = json.dumps(certified_for)
        pattern = "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            cast(col(Facilitator.certifications), String).like(pattern, escape="\\")
        )
    return [facilitator_profile(row) for row in session.exec(query).all()]


def load_bookings(
    session: Session, meetings: Sequence[Meeting], facilitator_ids: Iterable[int] | None = None
) -> list[Booking]:
    """Active bookings near these meetings (all facilitators, or only the given ones)."""
    if not meetings:
        return []
    first = min(as_utc(m.starts_at_utc) for m in meetings) - BOOKING_HORIZON
    last = max(as_utc(m.ends_at_utc) for m in meetings) + BOOKING_HORIZON
    query = select(FacilitatorBooking).where(
        col(FacilitatorBooking.active).is_(True),
        col(FacilitatorBooking.starts_at) < last,
        col(FacilitatorBooking.blocked_until) > first,
    )
    if facilitator_ids is not None:
        query = query.where(col(FacilitatorBooking.facilitator_id).in_(list(facilitator_ids)))
    return [
        Booking(
            b.facilitator_id,
            b.cohort_id,
            as_utc(b.starts_at),
            as_utc(b.ends_at),
            b.in_person,
            b.city,
        )
        for b in session.exec(query).all()
    ]
