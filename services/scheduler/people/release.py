"""Giving up a cohort a facilitator can no longer lead: their assignment ends (they are told
why) and the cohort is staffed again at once from the pool when someone fits.

Callers hold the cohort's offering lock, then the facilitator pool, then the facilitator.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import NoFit
from services.scheduler.assignments.service import active_assignments, end_assignment, staff_cohort
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators, lock_offerings
from services.scheduler.models import Assignment, Cohort, Facilitator, Meeting, Offering
from services.scheduler.people.schemas import ReleasedCohort
from services.scheduler.snapshots import cohort_snapshot, offering_meetings
from shared.errors import Conflict, NotFound


def hold_for_change(
    session: Session, facilitator_id: int
) -> tuple[dict[int, Offering], Facilitator]:
    """Lock, in order, the offerings of the cohorts the facilitator leads, the pool
    (exclusively) and the facilitator; the offerings by id and the facilitator."""
    offerings = lock_offerings(session, offerings_led(session, facilitator_id))
    lock_facilitator_pool(session, exclusive=True)
    lock_facilitators(session, [facilitator_id])
    facilitator = session.get(Facilitator, facilitator_id, populate_existing=True)
    if facilitator is None:
        raise NotFound("facilitator not found")
    return offerings, facilitator


def check_held(offerings: dict[int, Offering], cohorts: list[Cohort]) -> None:
    """Refuse (409) when a cohort to give up belongs to an offering whose lock is not held."""
    if any(cohort.offering_id not in offerings for cohort in cohorts):
        # Booked on another offering between the first read and the pool lock: rare; retry.
        raise Conflict("this facilitator was booked meanwhile: send the change again")


def offerings_led(session: Session, facilitator_id: int) -> set[int]:
    """Offerings of the cohorts the facilitator leads now (read before any lock is held)."""
    rows = session.exec(
        select(Cohort.offering_id)
        .join(Assignment, col(Assignment.cohort_id) == col(Cohort.id))
        .where(Assignment.facilitator_id == facilitator_id, Assignment.status == Assignment.ACTIVE)
    ).all()
    return set(rows)


def first_per_cohort(outside: list[tuple[Meeting, Cohort]]) -> list[tuple[Meeting, Cohort]]:
    """The soonest meeting of each cohort, in the order given."""
    seen: dict[int, tuple[Meeting, Cohort]] = {}
    for meeting, cohort in outside:
        seen.setdefault(cohort.id or 0, (meeting, cohort))
    return list(seen.values())


def give_up(
    session: Session,
    offering: Offering,
    cohort: Cohort,
    facilitator: Facilitator,
    *,
    starts: datetime | None,
    reason: str,
    detail: str,
) -> ReleasedCohort:
    """End the facilitator's assignment to the cohort (they are told why) and staff it again
    from the pool; `starts` is the first meeting that made them give it up."""
    meetings = offering_meetings(session, offering.id)
    for assignment in active_assignments(session, cohort.id or 0):
        if assignment.facilitator_id == facilitator.id:
            end_assignment(
                session,
                assignment=assignment,
                cohort=cohort_snapshot(offering, cohort, meetings),
                reason=reason,
                detail=detail,
            )
    # What made them give it up (windows, certifications) keeps the pick from choosing them.
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
