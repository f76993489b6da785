"""Use case of finalising a cohort's attendance: completions, one credit each, their events.

Finalising runs under the offering's row lock (the lock attendance marks take), so marks and
finalisation never interleave; the unique credit per registration backs the lock, and a
concurrent finaliser that loses the race runs again and answers what the winner wrote.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from services.scheduler import snapshots
from services.scheduler.credits import rules
from services.scheduler.credits.schemas import (
    CompletedRegistration,
    FinalisedCohort,
    NotCompletedRegistration,
)
from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.locks import lock_offering
from services.scheduler.models import (
    Assignment,
    Attendance,
    Cohort,
    Completion,
    Credit,
    Educator,
    Facilitator,
    Meeting,
    Offering,
    Registration,
    utcnow,
)
from shared import events
from shared.auth import MemberRole, Principal
from shared.columns import as_utc
from shared.errors import Conflict, Forbidden, NotFound
from shared.validation import storable_id

FINALISERS = (MemberRole.ADMIN, MemberRole.EDITOR)


@dataclass(frozen=True)
class Board:
    """A cohort's meetings, confirmed participants and marks, read under the offering's lock."""

    offering: Offering
    cohort: Cohort
    meetings: list[Meeting]
    participants: list[tuple[Registration, Educator]]
    marks: dict[tuple[int, int], tuple[str, int | None]]


def finalise_cohort(
    *, session: Session, cohort_id: int, principal: Principal | None, now: datetime | None = None
) -> FinalisedCohort:
    """Decide completion for every participant once; a repeat answers the same and writes nothing.

    `principal` None is the week-after sweep, which needs no marks.
    """
    return run_in_transaction(
        session, lambda: _finalise(session, cohort_id, principal, now), retry_integrity=True
    )


def _finalise(
    session: Session, cohort_id: int, principal: Principal | None, now: datetime | None
) -> FinalisedCohort:
    cohort = session.get(Cohort, cohort_id) if storable_id(cohort_id) else None
    if cohort is None:
        raise NotFound("cohort not found")
    offering = lock_offering(session, cohort.offering_id)
    assert offering is not None
    if principal is not None:
        _check_caller(session, offering, cohort, principal)
    session.refresh(cohort)
    if cohort.finalised_at is not None:
        return _stored(session, cohort)
    board = _board(session, offering, cohort)
    if not board.meetings:
        raise Conflict("this cohort has no meetings to finalise")
    moment = now or utcnow()
    last_end = max(as_utc(m.ends_at_utc) for m in board.meetings)
    marked = set(board.marks)
    ids = [r.id or 0 for r, _ in board.participants]
    all_marked = rules.every_mark_made(ids, [m.id for m in board.meetings], marked)
    if not rules.may_finalise(all_marked, last_end, moment):
        raise Conflict(
            "attendance is final once every participant is marked at every meeting, or "
            f"from {(last_end + rules.FINAL_AFTER).isoformat()}"
        )
    _write(session, board, last_end)
    cohort.finalised_at = moment
    session.add(cohort)
    session.flush()
    return _stored(session, cohort)


def _check_caller(
    session: Session, offering: Offering, cohort: Cohort, principal: Principal
) -> None:
    if principal.is_operator or principal.member_of(offering.affiliate_id, *FINALISERS):
        return
    leads = (
        principal.facilitator_id is not None
        and session.exec(
            select(Assignment.id).where(
                Assignment.cohort_id == cohort.id,
                Assignment.facilitator_id == principal.facilitator_id,
                Assignment.status == Assignment.ACTIVE,
            )
        ).first()
    )
    if leads:
        return
    if principal.member_of(offering.affiliate_id):
        raise Forbidden("the affiliate's admins and editors finalise attendance, not viewers")
    raise NotFound("cohort not found")


def _board(session: Session, offering: Offering, cohort: Cohort) -> Board:
    meetings = snapshots.offering_meetings(session, offering.id)
    participants = list(
        session.exec(
            select(Registration, Educator)
            .join(Educator, col(Educator.id) == col(Registration.educator_id))
            .where(
                Registration.cohort_id == cohort.id,
                Registration.status == Registration.CONFIRMED,
            )
            .order_by(col(Registration.id))
        ).all()
    )
    ids = [r.id for r, _ in participants]
    rows = (
        session.exec(select(Attendance).where(col(Attendance.registration_id).in_(ids))).all()
        if ids
        else []
    )
    marks = {(a.meeting_id, a.registration_id): (a.status, a.minutes) for a in rows}
    return Board(offering, cohort, meetings, participants, marks)


def _write(session: Session, board: Board, last_end: datetime) -> None:
    scheduled = {
        m.id: int((as_utc(m.ends_at_utc) - as_utc(m.starts_at_utc)).total_seconds() // 60)
        for m in board.meetings
    }
    completed_on = snapshots.meeting_snapshot(
        max(board.meetings, key=lambda m: as_utc(m.ends_at_utc)), board.offering.timezone
    ).ends_at.date()
    names = _facilitator_names(session, board.cohort.id or 0)
    picture = snapshots.cohort_snapshot(board.offering, board.cohort, board.meetings)
    for registration, educator in board.participants:
        rid = registration.id or 0
        mine = {m: mark for (m, r), mark in board.marks.items() if r == rid}
        percent = rules.attended_percent(scheduled, mine)
        done = rules.completed(percent, board.offering.completion_percent)
        session.add(
            Completion(
                registration_id=rid,
                cohort_id=board.cohort.id or 0,
                attended_percent=percent,
                completed=done,
            )
        )
        if not done:
            continue
        credit = Credit(
            registration_id=rid,
            educator_id=educator.id or 0,
            offering_id=board.offering.id,
            certificate_id=secrets.token_urlsafe(16),
            hours=board.offering.pd_hours,
            completed_on=completed_on,
        )
        session.add(credit)
        session.flush()  # the unique registration_id refuses a second credit here
        runtime.outbox.record(
            session,
            events.CompletionEarned(
                credit_id=credit.id or 0,
                certificate_id=credit.certificate_id,
                educator=snapshots.educator_recipient(educator),
                cohort=picture,
                hours=credit.hours,
                completed_on=credit.completed_on,
                attended_percent=percent,
                facilitator_names=names,
            ),
        )


def _facilitator_names(session: Session, cohort_id: int) -> list[str]:
    return list(
        session.exec(
            select(Facilitator.name)
            .join(Assignment, col(Assignment.facilitator_id) == col(Facilitator.id))
            .where(Assignment.cohort_id == cohort_id, Assignment.status == Assignment.ACTIVE)
            .order_by(col(Assignment.id))
        ).all()
    )


def _stored(session: Session, cohort: Cohort) -> FinalisedCohort:
    rows = session.exec(
        select(Completion, Credit, Registration)
        .join(Registration, col(Registration.id) == col(Completion.registration_id))
        .outerjoin(Credit, col(Credit.registration_id) == col(Completion.registration_id))
        .where(Completion.cohort_id == cohort.id)
        .order_by(col(Completion.registration_id))
    ).all()
    completed, not_completed = [], []
    for completion, credit, registration in rows:
        if completion.completed and credit is not None:
            completed.append(
                CompletedRegistration(
                    registration_id=completion.registration_id,
                    educator_id=registration.educator_id,
                    credit_id=credit.id or 0,
                )
            )
        else:
            not_completed.append(
                NotCompletedRegistration(
                    registration_id=completion.registration_id,
                    attended_percent=completion.attended_percent,
                )
            )
    return FinalisedCohort(
        cohort_id=cohort.id or 0, completed=completed, not_completed=not_completed
    )
