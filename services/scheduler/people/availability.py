"""Use case of a facilitator's weekly availability: replace it, then staff waiting cohorts.

The change holds the facilitator pool exclusively (`locks.py`), then the facilitator's row, so no
staffing decision is in flight meanwhile and none can book them while the cohorts they lead are
checked against the new windows. Cohorts waiting for a facilitator are staffed after the commit,
by the scheduler's worker (`facilitator.changed`, recorded with the change).
"""

from typing import Any

from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import fitting_window
from services.scheduler.assignments.pool import facilitator_profile
from services.scheduler.database import run_in_transaction
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators
from services.scheduler.models import Assignment, Cohort, Facilitator, Meeting, utcnow
from services.scheduler.people.schemas import AvailabilityChange, FacilitatorPublic
from services.scheduler.people.service import facilitator_public, pool_changed
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import Conflict, NotFound
from shared.validation import storable_id


def change_availability(
    *, session: Session, facilitator_id: int, data: AvailabilityChange, principal: Principal
) -> FacilitatorPublic:
    """Replace a facilitator's weekly windows (that facilitator, operator)."""
    mine = principal.facilitator_id == facilitator_id
    if not (mine or principal.is_operator) or not storable_id(facilitator_id):
        raise NotFound("facilitator not found")
    windows = [window.model_dump() for window in data.availability]
    return run_in_transaction(session, lambda: _change(session, facilitator_id, windows))


def _change(
    session: Session, facilitator_id: int, windows: list[dict[str, Any]]
) -> FacilitatorPublic:
    lock_facilitator_pool(session, exclusive=True)
    lock_facilitators(session, [facilitator_id])
    facilitator = session.get(Facilitator, facilitator_id, populate_existing=True)
    if facilitator is None:
        raise NotFound("facilitator not found")
    facilitator.availability = windows
    outside = led_meetings_outside(session, facilitator)
    if outside:
        first = as_utc(outside[0].starts_at_utc)
        raise Conflict(
            f"the new availability leaves out {len(outside)} of the meetings ahead in cohorts "
            f"this facilitator leads, the first at {first.isoformat()} (meeting {outside[0].id})"
        )
    session.add(facilitator)
    session.flush()
    pool_changed(session, facilitator)
    return facilitator_public(facilitator)


def led_meetings_outside(session: Session, facilitator: Facilitator) -> list[Meeting]:
    """Meetings still ahead, of cohorts the facilitator leads, outside their availability."""
    profile = facilitator_profile(facilitator)
    meetings = session.exec(
        select(Meeting)
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
        meeting
        for meeting in meetings
        if fitting_window(
            as_utc(meeting.starts_at_utc),
            as_utc(meeting.ends_at_utc),
            profile.timezone,
            profile.availability,
        )
        is None
    ]
