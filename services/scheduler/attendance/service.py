"""Use cases of attendance: read a meeting's marks, and mark them in the meeting's window.

Who: the owning affiliate's admins and editors and the operator, for every participant; a
cohort's facilitators, for the cohorts they lead. Marks are written under the offering's row
lock (the lock registrations and cancellations take), and every change is audited.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from services.scheduler.attendance import rules
from services.scheduler.attendance.schemas import AttendanceItem, AttendanceMark, MeetingAttendance
from services.scheduler.database import run_in_transaction
from services.scheduler.locks import lock_offering
from services.scheduler.models import (
    Assignment,
    Attendance,
    AttendanceChange,
    Cohort,
    Educator,
    Meeting,
    Offering,
    Registration,
    utcnow,
)
from shared.auth import MemberRole, Principal
from shared.columns import as_utc
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.validation import storable_id

MARKERS = (MemberRole.ADMIN, MemberRole.EDITOR)


@dataclass(frozen=True)
class Scope:
    """The meeting, its offering, and the participants the caller may see and mark."""

    meeting: Meeting
    offering: Offering
    participants: dict[int, tuple[Registration, Educator]]


def read_attendance(
    *, session: Session, meeting_id: int, principal: Principal
) -> MeetingAttendance:
    """Every participant the caller may see, with what is marked for them."""
    return _answer(session, scope_of(session, meeting_id, principal))


def mark_attendance(
    *, session: Session, meeting_id: int, marks: list[AttendanceMark], principal: Principal
) -> MeetingAttendance:
    """Mark the listed participants (only them) and answer with every participant."""

    def change() -> MeetingAttendance:
        scope = scope_of(session, meeting_id, principal, lock=True)
        _check_window(scope.meeting)
        _check_marks(scope, marks)
        _check_not_final(session, scope, marks)
        for mark in marks:
            write_mark(session, scope.meeting.id, mark, principal.audit_name)
        session.flush()
        return _answer(session, scope)

    return run_in_transaction(session, change)


def scope_of(session: Session, meeting_id: int, principal: Principal, lock: bool = False) -> Scope:
    """The meeting and the participants the caller may mark (404, or 403 for viewers)."""
    meeting = session.get(Meeting, meeting_id) if storable_id(meeting_id) else None
    if meeting is None:
        raise NotFound("meeting not found")
    offering = (
        lock_offering(session, meeting.offering_id)
        if lock
        else session.get(Offering, meeting.offering_id)
    )
    assert offering is not None
    staff = principal.is_operator or principal.member_of(offering.affiliate_id, *MARKERS)
    cohorts = None if staff else _cohorts_led(session, offering.id, principal.facilitator_id)
    if cohorts == []:
        if principal.member_of(offering.affiliate_id):
            raise Forbidden("the affiliate's admins and editors mark attendance, not viewers")
        raise NotFound("meeting not found")
    return Scope(meeting, offering, _participants(session, offering.id, cohorts))


def _cohorts_led(session: Session, offering_id: int, facilitator_id: int | None) -> list[int]:
    if facilitator_id is None:
        return []
    return list(
        session.exec(
            select(Assignment.cohort_id)
            .join(Cohort, col(Cohort.id) == col(Assignment.cohort_id))
            .where(
                Cohort.offering_id == offering_id,
                Assignment.facilitator_id == facilitator_id,
                Assignment.status == Assignment.ACTIVE,
            )
        ).all()
    )


def _participants(
    session: Session, offering_id: int, cohorts: list[int] | None
) -> dict[int, tuple[Registration, Educator]]:
    query = (
        select(Registration, Educator)
        .join(Educator, col(Educator.id) == col(Registration.educator_id))
        .where(
            Registration.offering_id == offering_id,
            Registration.status == Registration.CONFIRMED,
        )
        .order_by(col(Registration.cohort_id), col(Registration.id))
    )
    if cohorts is not None:
        query = query.where(col(Registration.cohort_id).in_(cohorts))
    return {
        registration.id or 0: (registration, educator)
        for registration, educator in session.exec(query).all()
    }


def _check_window(meeting: Meeting) -> None:
    starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
    if not rules.may_mark(starts, ends, utcnow()):
        opens, closes = rules.marking_window(starts, ends)
        raise Conflict(
            f"attendance of this meeting can be marked from {opens.isoformat()} "
            f"until {closes.isoformat()}"
        )


def _check_marks(scope: Scope, marks: list[AttendanceMark]) -> None:
    longest = rules.meeting_minutes(
        as_utc(scope.meeting.starts_at_utc), as_utc(scope.meeting.ends_at_utc)
    )
    seen: set[int] = set()
    for index, mark in enumerate(marks):
        if mark.registration_id in seen:
            raise InvalidInput((index, "registration_id"), "listed twice")
        seen.add(mark.registration_id)
        if mark.registration_id not in scope.participants:
            raise InvalidInput(
                (index, "registration_id"), "not a participant of this meeting you may mark"
            )
        problem = rules.minutes_problem(mark.status, mark.minutes, longest)
        if problem:
            raise InvalidInput((index, "minutes"), problem)


def _check_not_final(session: Session, scope: Scope, marks: list[AttendanceMark]) -> None:
    cohorts = {scope.participants[m.registration_id][0].cohort_id for m in marks}
    final = session.exec(
        select(Cohort.id).where(col(Cohort.id).in_(cohorts), col(Cohort.finalised_at).is_not(None))
    ).first()
    if final is not None:
        raise Conflict("this cohort's attendance is final (its credits are written)")


def write_mark(
    session: Session, meeting_id: int, mark: AttendanceMark, actor: str, how: str = "marked"
) -> None:
    """Write one mark and its audit record (nothing when it says what is already marked)."""
    held = session.get(Attendance, (meeting_id, mark.registration_id))
    if held is not None and (held.status, held.minutes) == (mark.status, mark.minutes):
        return
    session.add(
        AttendanceChange(
            meeting_id=meeting_id,
            registration_id=mark.registration_id,
            old_status=held.status if held else None,
            old_minutes=held.minutes if held else None,
            new_status=mark.status,
            new_minutes=mark.minutes,
            actor=actor,
            how=how,
        )
    )
    if held is None:
        held = Attendance(
            meeting_id=meeting_id,
            registration_id=mark.registration_id,
            status=mark.status,
            marked_by=actor,
        )
    held.status, held.minutes, held.marked_by, held.marked_at = (
        mark.status,
        mark.minutes,
        actor,
        utcnow(),
    )
    session.add(held)


def _answer(session: Session, scope: Scope) -> MeetingAttendance:
    ids = list(scope.participants)
    marks = (
        {
            row.registration_id: row
            for row in session.exec(
                select(Attendance).where(
                    Attendance.meeting_id == scope.meeting.id,
                    col(Attendance.registration_id).in_(ids),
                )
            ).all()
        }
        if ids
        else {}
    )
    items = []
    for registration_id, (_, educator) in scope.participants.items():
        mark = marks.get(registration_id)
        items.append(
            AttendanceItem(
                registration_id=registration_id,
                educator_id=educator.id or 0,
                name=educator.name,
                status=mark.status if mark else "unmarked",
                minutes=mark.minutes if mark else None,
            )
        )
    return MeetingAttendance(meeting_id=scope.meeting.id, items=items)
