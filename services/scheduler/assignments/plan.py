"""Use case of the batch re-plan: re-staff every cohort whose offering starts in a window."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import PlanResult, plan_assignments
from services.scheduler.assignments.pool import (
    cohort_need,
    load_bookings,
    load_profiles,
)
from services.scheduler.assignments.schemas import PlannedCohort, PlanPublic, UnplannedCohort
from services.scheduler.assignments.service import announce_assigned, book_meetings, end_assignment
from services.scheduler.database import is_retryable, runtime, travel_buffer
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators
from services.scheduler.models import Assignment, Cohort, Meeting, Offering
from services.scheduler.snapshots import cohort_snapshot
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import Conflict

PLAN_WORKERS = 2
Planned = tuple[Cohort, Offering, list[Meeting]]


def cohorts_starting_between(session: Session, after: datetime, before: datetime) -> list[Planned]:
    """Live cohorts of published offerings whose first meeting starts in [after, before)."""
    first = (
        select(Meeting.offering_id, func.min(Meeting.starts_at_utc).label("first_start"))
        .group_by(col(Meeting.offering_id))
        .subquery()
    )
    rows = session.exec(
        select(Cohort, Offering)
        .join(Offering, col(Offering.id) == col(Cohort.offering_id))
        .join(first, first.c.offering_id == col(Offering.id))
        .where(
            Offering.status == "published",
            Cohort.status != "cancelled",
            first.c.first_start >= after,
            first.c.first_start < before,
        )
        .order_by(col(Cohort.id))
    ).all()
    meetings: dict[int, list[Meeting]] = defaultdict(list)
    offering_ids = list({offering.id for _, offering in rows})
    for meeting in session.exec(
        select(Meeting)
        .where(col(Meeting.offering_id).in_(offering_ids))
        .order_by(col(Meeting.starts_at_utc))
    ).all():
        meetings[meeting.offering_id].append(meeting)
    return [(cohort, offering, meetings[offering.id]) for cohort, offering in rows]


def _audit(
    session: Session, principal: Principal, window: tuple[datetime, datetime], result: PlanResult
) -> None:
    starts_after, starts_before = window
    details = {
        "starts_after": starts_after.isoformat(),
        "starts_before": starts_before.isoformat(),
        "staffed": len(result.assignments),
        "unstaffed": len(result.unassigned),
    }
    subject = f"window {starts_after.date()}/{starts_before.date()}"
    runtime.audit_action(session, principal, "assignments.plan", subject, details)


def plan_window(
    *,
    session: Session,
    starts_after: datetime,
    starts_before: datetime,
    time_limit: float,
    principal: Principal,
) -> PlanPublic:
    """Re-plan facilitators for the window in one transaction, with the pool's rows locked."""
    try:
        planned = cohorts_starting_between(session, as_utc(starts_after), as_utc(starts_before))
        lock_facilitator_pool(session)
        pool = load_profiles(session)
        lock_facilitators(session, [p.id for p in pool])
        keep = _current(session, [c.id or 0 for c, _, _ in planned])
        planned_ids = set(keep)
        all_meetings = [m for _, _, meetings in planned for m in meetings]
        fixed = [b for b in load_bookings(session, all_meetings) if b.cohort_id not in planned_ids]
        needs = [cohort_need(o, c.id or 0, m, o.facilitators_required) for c, o, m in planned]
        result = plan_assignments(
            needs,
            pool,
            fixed,
            travel_buffer=travel_buffer(),
            time_limit=time_limit,
            workers=PLAN_WORKERS,
            keep=keep,
        )
        changed = _apply(session, planned, keep, result)
        _audit(session, principal, (as_utc(starts_after), as_utc(starts_before)), result)
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if isinstance(exc, IntegrityError) or is_retryable(exc):
            raise Conflict("facilitator bookings changed while planning; plan again") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    return PlanPublic(
        assigned=[
            PlannedCohort(cohort_id=c, facilitator_ids=list(ids))
            for c, ids in result.assignments.items()
        ],
        unassigned=[UnplannedCohort(cohort_id=c, reason=r) for c, r in result.unassigned.items()],
        objective=result.objective,
        status=result.status,
        changed_cohort_ids=changed,
    )


def _current(session: Session, cohort_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    current: dict[int, list[int]] = {cohort_id: [] for cohort_id in cohort_ids}
    for assignment in session.exec(
        select(Assignment).where(
            col(Assignment.cohort_id).in_(list(cohort_ids)), Assignment.status == "active"
        )
    ).all():
        current[assignment.cohort_id].append(assignment.facilitator_id)
    return {cohort_id: tuple(sorted(ids)) for cohort_id, ids in current.items()}


def _apply(
    session: Session,
    planned: Sequence[Planned],
    keep: dict[int, tuple[int, ...]],
    result: PlanResult,
) -> list[int]:
    """Unassign first (freeing time), then assign; return the cohorts whose staff changed."""
    changed: list[int] = []
    explanation = f"chosen by a batch plan ({result.status}, objective {result.objective:g})"
    for cohort, offering, meetings in planned:
        gone = set(keep[cohort.id or 0]) - set(result.assignments.get(cohort.id or 0, ()))
        snapshot = cohort_snapshot(offering, cohort, meetings)
        for assignment in session.exec(
            select(Assignment).where(
                Assignment.cohort_id == cohort.id,
                Assignment.status == "active",
                col(Assignment.facilitator_id).in_(list(gone)),
            )
        ).all():
            end_assignment(
                session,
                assignment=assignment,
                cohort=snapshot,
                reason="replanned",
            )
        if gone:
            changed.append(cohort.id or 0)
    for cohort, offering, meetings in planned:
        new = sorted(set(result.assignments.get(cohort.id or 0, ())) - set(keep[cohort.id or 0]))
        added = []
        for facilitator_id in new:
            assignment = Assignment(
                facilitator_id=facilitator_id, cohort_id=cohort.id or 0, explanation=explanation
            )
            session.add(assignment)
            session.flush()
            book_meetings(session, offering=offering, assignment=assignment, meetings=meetings)
            added.append(assignment)
        announce_assigned(session, offering, cohort, meetings, added)
        _mark(cohort, result.unassigned.get(cohort.id or 0))
        session.add(cohort)
        if added and cohort.id not in changed:
            changed.append(cohort.id or 0)
    session.flush()
    return sorted(changed)


def _mark(cohort: Cohort, unassigned: str | None) -> None:
    if unassigned is None:
        cohort.status = "open"
        cohort.needs_facilitator_reason = cohort.needs_facilitator_detail = None
        return
    reason, _, detail = unassigned.partition(": ")
    cohort.status = "needs_facilitator"
    cohort.needs_facilitator_reason = reason[:40]
    cohort.needs_facilitator_detail = detail or None
