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

from services.scheduler.assignments.engine import fitting_window
from services.scheduler.assignments.pool import facilitator_profile
from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.models import Assignment, Cohort, Facilitator, Meeting, utcnow
from services.scheduler.people.release import check_held, first_per_cohort, give_up, hold_for_change
from services.scheduler.people.schemas import (
    AvailabilityChange,
    ChangedFacilitator,
    FacilitatorPublic,
)
from services.scheduler.people.service import facilitator_public, pool_changed
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import NotFound
from shared.validation import storable_id

GIVEN_UP = "availability_changed"


def change_availability(
    *, session: Session, facilitator_id: int, data: AvailabilityChange, principal: Principal
) -> ChangedFacilitator:
    """Replace a facilitator's weekly windows (that facilitator, operator)."""
    mine = principal.facilitator_id == facilitator_id
    if not (mine or principal.is_operator) or not storable_id(facilitator_id):
        raise NotFound("facilitator not found")
    windows = [window.model_dump() for window in data.availability]
    return run_in_transaction(session, lambda: _change(session, facilitator_id, windows, principal))


def _change(
    session: Session, facilitator_id: int, windows: list[dict[str, Any]], principal: Principal
) -> ChangedFacilitator:
    offerings, facilitator = hold_for_change(session, facilitator_id)
    before = list(facilitator.availability)
    facilitator.availability = windows
    session.add(facilitator)
    session.flush()
    outside = led_meetings_outside(session, facilitator)
    check_held(offerings, [cohort for _, cohort in outside])
    released = [
        give_up(
            session,
            offerings[cohort.offering_id],
            cohort,
            facilitator,
            starts=as_utc(meeting.starts_at_utc),
            reason=GIVEN_UP,
            detail="their availability no longer covers the meeting at "
            f"{as_utc(meeting.starts_at_utc).isoformat()}",
        )
        for meeting, cohort in first_per_cohort(outside)
    ]
    pool_changed(session, facilitator)
    if before != windows:
        runtime.audit_action(
            session,
            principal,
            "facilitator.availability",
            f"facilitator {facilitator_id}",
            {"windows": len(windows), "given_up": [r.cohort_id for r in released]},
        )
    public: FacilitatorPublic = facilitator_public(facilitator)
    return ChangedFacilitator(**public.model_dump(), released=released)


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
