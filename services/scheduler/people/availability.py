"""Use case of a facilitator's weekly availability: replace it, give up the cohorts it no longer
covers (each re-staffed at once when someone fits), then staff waiting cohorts.

Lock order as everywhere (`locks.py`): the offerings of the cohorts the facilitator leads, then
the facilitator pool exclusively, then the facilitator's row. With the pool held no staffing
decision is in flight, so the cohorts they lead cannot change under the check. Cohorts waiting
for a facilitator are staffed after the commit, by the scheduler's worker (`facilitator.changed`,
recorded with the change).
"""

from typing import Any

from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import NoFit, fitting_window
from services.scheduler.assignments.pool import facilitator_profile
from services.scheduler.assignments.service import active_assignments, end_assignment, staff_cohort
from services.scheduler.database import run_in_transaction
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators, lock_offerings
from services.scheduler.models import Assignment, Cohort, Facilitator, Meeting, Offering, utcnow
from services.scheduler.people.schemas import (
    AvailabilityChange,
    AvailabilityChanged,
    FacilitatorPublic,
    ReleasedCohort,
)
from services.scheduler.people.service import facilitator_public, pool_changed
from services.scheduler.snapshots import cohort_snapshot, offering_meetings
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import Conflict, NotFound
from shared.validation import storable_id

GIVEN_UP = "availability_changed"


def change_availability(
    *, session: Session, facilitator_id: int, data: AvailabilityChange, principal: Principal
) -> AvailabilityChanged:
    """Replace a facilitator's weekly windows (that facilitator, operator)."""
    mine = principal.facilitator_id == facilitator_id
    if not (mine or principal.is_operator) or not storable_id(facilitator_id):
        raise NotFound("facilitator not found")
    windows = [window.model_dump() for window in data.availability]
    return run_in_transaction(session, lambda: _change(session, facilitator_id, windows))


def _change(
    session: Session, facilitator_id: int, windows: list[dict[str, Any]]
) -> AvailabilityChanged:
    offerings = lock_offerings(session, _offerings_led(session, facilitator_id))
    lock_facilitator_pool(session, exclusive=True)
    lock_facilitators(session, [facilitator_id])
    facilitator = session.get(Facilitator, facilitator_id, populate_existing=True)
    if facilitator is None:
        raise NotFound("facilitator not found")
    facilitator.availability = windows
    session.add(facilitator)
    session.flush()
    outside = led_meetings_outside(session, facilitator)
    if any(cohort.offering_id not in offerings for _, cohort in outside):
        # Booked on another offering between the first read and the pool lock: rare; retry.
        raise Conflict("this facilitator was booked meanwhile: send the change again")
    released = [
        _give_up(session, offerings[cohort.offering_id], cohort, facilitator, meeting)
        for meeting, cohort in _first_per_cohort(outside)
    ]
    pool_changed(session, facilitator)
    public: FacilitatorPublic = facilitator_public(facilitator)
    return AvailabilityChanged(**public.model_dump(), released=released)


def _offerings_led(session: Session, facilitator_id: int) -> set[int]:
    """Offerings of the cohorts the facilitator leads now (read before any lock is held)."""
    rows = session.exec(
        select(Cohort.offering_id)
        .join(Assignment, col(Assignment.cohort_id) == col(Cohort.id))
        .where(Assignment.facilitator_id == facilitator_id, Assignment.status == Assignment.ACTIVE)
    ).all()
    return set(rows)


def _first_per_cohort(outside: list[tuple[Meeting, Cohort]]) -> list[tuple[Meeting, Cohort]]:
    seen: dict[int, tuple[Meeting, Cohort]] = {}
    for meeting, cohort in outside:
        seen.setdefault(cohort.id or 0, (meeting, cohort))
    return list(seen.values())


def _give_up(
    session: Session, offering: Offering, cohort: Cohort, facilitator: Facilitator, first: Meeting
) -> ReleasedCohort:
    """End the facilitator's assignment to the cohort and staff it again from the pool."""
    meetings = offering_meetings(session, offering.id)
    starts = as_utc(first.starts_at_utc)
    for assignment in active_assignments(session, cohort.id or 0):
        if assignment.facilitator_id == facilitator.id:
            end_assignment(
                session,
                assignment=assignment,
                cohort=cohort_snapshot(offering, cohort, meetings),
                reason=GIVEN_UP,
                detail=f"their availability no longer covers the meeting at {starts.isoformat()}",
            )
    # Their new windows leave that meeting out, so the pick cannot choose them again.
    added = staff_cohort(session, offering=offering, cohort=cohort, meetings=meetings)
    session.add(cohort)
    return ReleasedCohort(
        cohort_id=cohort.id or 0,
        offering_id=offering.id,
        title=offering.title,
        first_meeting_at_utc=starts,
        restaffed=not isinstance(added, NoFit),
        needs_facilitator_reason=added.reason if isinstance(added, NoFit) else None,
    )


def led_meetings_outside(
    session: Session, facilitator: Facilitator
) -> list[tuple[Meeting, Cohort]]:
    """Meetings still ahead, with their cohort, of cohorts the facilitator leads, outside their
    availability; soonest first."""
    profile = facilitator_profile(facilitator)
    rows = session.exec(
        select(Meeting, Cohort)
        .join(Cohort, col(Cohort.offering_id) == col(Meeting.offering_id))
        .join(Assignment, col(Assignment.cohort_id) == col(Cohort.id))
        .where(
            Assignment.facilitator_id == facilitator.id,
            Assignment.status == Assignment.ACTIVE,
            Cohort.status != Cohort.CANCELLED,
            col(Meeting.starts_at_utc) > utcnow(),
        )
        .order_by(col(Meeting.starts_at_utc), col(Meeting.id))
    ).all()
    return [
        (meeting, cohort)
        for meeting, cohort in rows
        if fitting_window(
            as_utc(meeting.starts_at_utc),
            as_utc(meeting.ends_at_utc),
            profile.timezone,
            profile.availability,
        )
        is None
    ]
