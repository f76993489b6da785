"""Check-in by code: the cohort's facilitators (or the affiliate's editors) open a short-lived
code for a meeting, shown as a QR image and as text; an educator with a seat checks in with it
and is marked present.

Only the code's hash is kept, on the meeting itself: one code per meeting, so opening a new one
retires the old at once. A check-in never downgrades a mark someone made (a partial stays
partial) and a repeat changes nothing.
"""

from datetime import timedelta

from sqlmodel import Session, col, select

from services.scheduler.attendance import rules, service
from services.scheduler.attendance.schemas import AttendanceMark, CheckInCodePublic, CheckInPublic
from services.scheduler.database import run_in_transaction
from services.scheduler.locks import lock_offering
from services.scheduler.models import Attendance, Cohort, Meeting, Registration, utcnow
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import Conflict
from shared.settings import get_settings

# The portal tells these refusals apart by their first words; keep them stable.
UNKNOWN = "unknown check-in code: it was mistyped or replaced by a newer one"
EXPIRED = "expired check-in code: ask for a new one"
NOT_OPEN = "check-in is not open"
NO_SEAT = "no confirmed seat in this training"
FINAL = "attendance is final"


def open_code(*, session: Session, meeting_id: int, principal: Principal) -> CheckInCodePublic:
    """A new check-in code for the meeting (the previous one stops working)."""

    def change() -> CheckInCodePublic:
        meeting = service.scope_of(session, meeting_id, principal).meeting
        starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
        now = utcnow()
        if not rules.may_check_in(starts, ends, now):
            opens, _ = rules.check_in_window(starts, ends)
            raise Conflict(
                f"{NOT_OPEN}: codes for this meeting can be opened from {opens.isoformat()} "
                f"until it ends at {ends.isoformat()}"
            )
        code = rules.new_check_in_code()
        ttl = timedelta(seconds=get_settings().cohort_check_in_code_ttl)
        meeting.check_in_code_hash = rules.check_in_code_hash(code)
        meeting.check_in_code_expires_at = min(now + ttl, ends)
        session.add(meeting)
        session.flush()
        return _public(meeting, code)

    return run_in_transaction(session, change)


def _public(meeting: Meeting, code: str) -> CheckInCodePublic:
    shown = rules.shown_check_in_code(code)
    portal = get_settings().cohort_portal_url.rstrip("/")
    assert meeting.check_in_code_expires_at is not None
    return CheckInCodePublic(
        meeting_id=meeting.id,
        code=shown,
        url=f"{portal}/check-in?code={shown}",
        qr_svg_url=f"{portal}/check-in/qr.svg?code={shown}",
        expires_at=as_utc(meeting.check_in_code_expires_at),
    )


def check_in(*, session: Session, code: str, principal: Principal) -> CheckInPublic:
    """Mark the educator present at the code's meeting (a repeat changes nothing)."""

    def change() -> CheckInPublic:
        meeting = _meeting_of(session, code)
        lock_offering(session, meeting.offering_id)
        registration = _seat(session, meeting, principal.educator_id)
        held = session.get(Attendance, (meeting.id, registration.id))
        if held is None or held.status == Attendance.ABSENT:
            mark = AttendanceMark(registration_id=registration.id or 0, status="present")
            service.write_mark(session, meeting.id, mark, principal.audit_name, how="check_in")
            session.flush()
            held = session.get(Attendance, (meeting.id, registration.id))
        assert held is not None
        return CheckInPublic(
            meeting_id=meeting.id,
            registration_id=registration.id or 0,
            offering_id=meeting.offering_id,
            status=held.status,
        )

    return run_in_transaction(session, change)


def _meeting_of(session: Session, code: str) -> Meeting:
    normal = rules.normalise_check_in_code(code)
    meeting = (
        session.exec(
            select(Meeting).where(Meeting.check_in_code_hash == rules.check_in_code_hash(normal))
        ).first()
        if normal
        else None
    )
    if meeting is None or meeting.check_in_code_expires_at is None:
        raise Conflict(UNKNOWN)
    now = utcnow()
    if as_utc(meeting.check_in_code_expires_at) < now:
        raise Conflict(EXPIRED)
    starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
    if not rules.may_check_in(starts, ends, now):
        raise Conflict(f"{NOT_OPEN}: from 30 minutes before the meeting starts until it ends")
    return meeting


def _seat(session: Session, meeting: Meeting, educator_id: int | None) -> Registration:
    registration = session.exec(
        select(Registration).where(
            Registration.offering_id == meeting.offering_id,
            Registration.educator_id == (educator_id or 0),
            Registration.status == Registration.CONFIRMED,
        )
    ).first()
    if registration is None:
        raise Conflict(f"{NO_SEAT}: only its confirmed participants check in")
    final = session.exec(
        select(Cohort.id).where(
            Cohort.id == registration.cohort_id, col(Cohort.finalised_at).is_not(None)
        )
    ).first()
    if final is not None:
        raise Conflict(f"{FINAL}: this cohort's credits are already written")
    return registration
