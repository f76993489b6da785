"""Use cases of facilitator assignment: staff a cohort, re-check it after a change, end one.

Whoever writes bookings locks the facilitators' rows first (in id order) and re-checks their
constraints under that lock; the exclusion constraints on `facilitator_booking` are the last
line on PostgreSQL. Lock order is always offering, then the facilitator pool, then
facilitators (`locks.py`), so nothing deadlocks.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.assignments.engine import (
    CohortNeed,
    NoFit,
    Pick,
    hard_violations,
    pick_facilitators,
)
from services.scheduler.assignments.pool import (
    cohort_need,
    load_bookings,
    load_profiles,
)
from services.scheduler.database import runtime, travel_buffer
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators
from services.scheduler.models import (
    Assignment,
    Cohort,
    Facilitator,
    FacilitatorBooking,
    Meeting,
    Offering,
    utcnow,
)
from services.scheduler.snapshots import cohort_snapshot, facilitator_recipient
from shared import events
from shared.columns import as_utc

MAX_PICK_ATTEMPTS = 4
# Bookings this far around a cohort's meetings matter: clashes, and the monthly cap.
BOOKING_HORIZON = timedelta(days=32)


@dataclass
class Refit:
    """What re-checking a cohort's facilitators after a change did."""

    kept: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    no_fit: NoFit | None = None


def active_assignments(session: Session, cohort_id: int) -> list[Assignment]:
    """A cohort's active assignments, oldest first."""
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.cohort_id == cohort_id, Assignment.status == "active")
            .order_by(col(Assignment.id))
        ).all()
    )


def book_meetings(
    session: Session, *, offering: Offering, assignment: Assignment, meetings: Sequence[Meeting]
) -> None:
    """Hold the facilitator's time for every meeting of the assignment's cohort."""
    in_person = domain.is_in_person(offering.format)
    city = (offering.venue or {}).get("city") if in_person else None
    for meeting in meetings:
        ends_at = as_utc(meeting.ends_at_utc)
        session.add(
            FacilitatorBooking(
                facilitator_id=assignment.facilitator_id,
                meeting_id=meeting.id,
                cohort_id=assignment.cohort_id,
                assignment_id=assignment.id or 0,
                starts_at=as_utc(meeting.starts_at_utc),
                ends_at=ends_at,
                blocked_until=domain.blocked_until(
                    ends_at, in_person=in_person, travel_buffer=travel_buffer()
                ),
                in_person=in_person,
                city=city,
                city_key=(city or "").strip().casefold(),
            )
        )
    session.flush()


def release_bookings(session: Session, *, cohort_id: int) -> None:
    """Free the facilitator time a cohort holds (its meetings are about to be re-checked)."""
    session.execute(
        update(FacilitatorBooking)
        .where(col(FacilitatorBooking.cohort_id) == cohort_id, col(FacilitatorBooking.active))
        .values(active=False)
    )


def end_assignment(
    session: Session,
    *,
    assignment: Assignment,
    cohort: events.Cohort,
    reason: str,
    detail: str = "",
) -> None:
    """End an assignment, free its time and tell the facilitator (facilitator.unassigned)."""
    facilitator = session.get(Facilitator, assignment.facilitator_id)
    assert facilitator is not None
    assignment.status = "ended"
    assignment.ended_at = utcnow()
    assignment.end_reason = reason
    session.add(assignment)
    session.execute(
        update(FacilitatorBooking)
        .where(col(FacilitatorBooking.assignment_id) == assignment.id)
        .values(active=False)
    )
    session.flush()
    runtime.outbox.record(
        session,
        events.FacilitatorUnassigned(
            assignment_id=assignment.id or 0,
            facilitator=facilitator_recipient(facilitator),
            cohort=cohort,
            reason=reason,
            detail=detail,
        ),
    )


def mark_staffing(cohort: Cohort, no_fit: NoFit | None) -> None:
    """Record whether a cohort has all its facilitators, and why not."""
    if cohort.status == "cancelled":
        return
    cohort.status = "needs_facilitator" if no_fit else "open"
    cohort.needs_facilitator_reason = no_fit.reason if no_fit else None
    cohort.needs_facilitator_detail = no_fit.detail if no_fit else None


def staff_cohort(
    session: Session, *, offering: Offering, cohort: Cohort, meetings: Sequence[Meeting]
) -> list[int] | NoFit:
    """Fill a cohort's free facilitator places by the incremental pick; return who was added."""
    lock_facilitator_pool(session)
    current = {a.facilitator_id for a in active_assignments(session, cohort.id or 0)}
    missing = offering.facilitators_required - len(current)
    if missing <= 0:
        mark_staffing(cohort, None)
        return []
    certified = load_profiles(session, certified_for=offering.program_code)
    pool = [p for p in certified if p.id not in current]
    need = cohort_need(offering, cohort.id or 0, meetings, missing)
    if not certified:
        detail = f"no facilitator is certified for {offering.program_code}"
        no_fit = NoFit(cohort.id or 0, "nobody_certified", detail)
        mark_staffing(cohort, no_fit)
        return no_fit
    for _attempt in range(MAX_PICK_ATTEMPTS):
        # Bookings are read afresh each time: a candidate taken meanwhile now shows as busy.
        bookings = load_bookings(session, meetings, [p.id for p in pool])
        pick = pick_facilitators(need, pool, bookings, travel_buffer=travel_buffer())
        if isinstance(pick, NoFit):
            mark_staffing(cohort, pick)
            return pick
        if _book_pick(session, offering, cohort, meetings, need, pick):
            mark_staffing(cohort, None)
            return list(pick.facilitator_ids)
    no_fit = NoFit(cohort.id or 0, "not_enough_facilitators", "candidates were taken meanwhile")
    mark_staffing(cohort, no_fit)
    return no_fit


def _book_pick(
    session: Session,
    offering: Offering,
    cohort: Cohort,
    meetings: Sequence[Meeting],
    need: CohortNeed,
    pick: Pick,
) -> bool:
    """Book the picked facilitators under their row locks; False if one turned out taken."""
    picked = pick.facilitator_ids
    lock_facilitators(session, picked)
    fresh = load_bookings(session, meetings, picked)
    profiles = {p.id: p for p in load_profiles(session, picked)}
    buffer = travel_buffer()
    if any(hard_violations(need, profiles[i], fresh, travel_buffer=buffer) for i in picked):
        return False
    added: list[Assignment] = []
    try:
        with session.begin_nested():
            for facilitator_id in picked:
                assignment = Assignment(
                    facilitator_id=facilitator_id,
                    cohort_id=cohort.id or 0,
                    explanation=pick.explanation,
                )
                session.add(assignment)
                session.flush()
                book_meetings(session, offering=offering, assignment=assignment, meetings=meetings)
                added.append(assignment)
    except IntegrityError:
        # The database refused an overlapping booking (a writer that skipped the lock).
        return False
    announce_assigned(session, offering, cohort, meetings, added)
    return True


def announce_assigned(
    session: Session,
    offering: Offering,
    cohort: Cohort,
    meetings: Sequence[Meeting],
    assignments: Sequence[Assignment],
) -> None:
    """Tell each newly assigned facilitator (facilitator.assigned)."""
    if not assignments:
        return
    snapshot = cohort_snapshot(offering, cohort, meetings)
    for assignment in assignments:
        facilitator = session.get(Facilitator, assignment.facilitator_id)
        assert facilitator is not None
        runtime.outbox.record(
            session,
            events.FacilitatorAssigned(
                assignment_id=assignment.id or 0,
                facilitator=facilitator_recipient(facilitator),
                cohort=snapshot,
                role=assignment.role,
                explanation=assignment.explanation,
            ),
        )


def refit_cohort(
    session: Session, *, offering: Offering, cohort: Cohort, meetings: Sequence[Meeting]
) -> Refit:
    """Keep each facilitator who still fits the cohort's new meetings; replace the others."""
    refit = Refit()
    lock_facilitator_pool(session)
    release_bookings(session, cohort_id=cohort.id or 0)
    assignments = active_assignments(session, cohort.id or 0)
    ids = [a.facilitator_id for a in assignments]
    lock_facilitators(session, ids)
    fresh = load_bookings(session, meetings, ids)
    profiles = {p.id: p for p in load_profiles(session, ids)}
    need = cohort_need(offering, cohort.id or 0, meetings, len(ids))
    snapshot = cohort_snapshot(offering, cohort, meetings)
    for assignment in assignments:
        problems = hard_violations(
            need, profiles[assignment.facilitator_id], fresh, travel_buffer=travel_buffer()
        )
        if problems:
            end_assignment(
                session,
                assignment=assignment,
                cohort=snapshot,
                reason="no_longer_fits",
                detail="; ".join(problems),
            )
            refit.dropped.append(assignment.facilitator_id)
        else:
            book_meetings(session, offering=offering, assignment=assignment, meetings=meetings)
            refit.kept.append(assignment.facilitator_id)
    # Those dropped stay in the pool: they fail the same checks, and the no-fit reason then
    # speaks of availability rather than of certification.
    staffed = staff_cohort(session, offering=offering, cohort=cohort, meetings=meetings)
    if isinstance(staffed, NoFit):
        refit.no_fit = staffed
    else:
        refit.added = staffed
    return refit
