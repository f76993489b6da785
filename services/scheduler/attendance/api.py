"""Routes for attendance: read and mark who was at a meeting."""

from typing import Annotated

from fastapi import APIRouter, Body

from services.scheduler.attendance import check_in, service
from services.scheduler.attendance.schemas import (
    AttendanceMark,
    CheckInCodePublic,
    CheckInPublic,
    CheckInRequest,
    MeetingAttendance,
)
from services.scheduler.deps import AttendanceTaker, Educator, SessionDep, errors
from shared.validation import Id, RowId

router = APIRouter(tags=["attendance"])

WHO = (
    "The cohort's facilitators (for the cohorts they lead), the owning affiliate's admins and "
    "editors, and the operator."
)


@router.get(
    "/meetings/{meeting_id}/attendance",
    summary="Who was at a meeting",
    description=f"{WHO} Every confirmed participant the caller may mark, with their mark "
    "(`unmarked` until someone marks them).",
    responses=errors(401, 403, 404),
)
def read(meeting_id: Id, session: SessionDep, principal: AttendanceTaker) -> MeetingAttendance:
    """A meeting's attendance."""
    return service.read_attendance(session=session, meeting_id=meeting_id, principal=principal)


@router.put(
    "/meetings/{meeting_id}/attendance",
    summary="Mark who was at a meeting",
    description=f"{WHO} Updates only the listed participants (`minutes` attended, for "
    "`partial` only, less than the meeting's length); every change is audited with who made "
    "it. From 30 minutes before the meeting starts until 7 days after it ends, else 409; a "
    "registration that is not a participant the caller may mark is 422.",
    responses=errors(401, 403, 404, 409, 422),
)
def mark(
    meeting_id: Id,
    marks: Annotated[list[AttendanceMark], Body(max_length=500)],
    session: SessionDep,
    principal: AttendanceTaker,
) -> MeetingAttendance:
    """Mark attendance."""
    return service.mark_attendance(
        session=session, meeting_id=meeting_id, marks=marks, principal=principal
    )


@router.post(
    "/meetings/{meeting_id}/check-in-codes",
    status_code=201,
    summary="Open a check-in code for a meeting",
    description=f"{WHO} A new short code (and the portal page and QR image it leads to), valid "
    "for `COHORT_CHECK_IN_CODE_TTL` seconds and never past the meeting's end; opening one "
    "retires the meeting's previous code at once. From 30 minutes before the meeting starts "
    "until it ends, else 409.",
    responses=errors(401, 403, 404, 409),
)
def open_check_in_code(
    meeting_id: RowId, session: SessionDep, principal: AttendanceTaker
) -> CheckInCodePublic:
    """Open a check-in code."""
    return check_in.open_code(session=session, meeting_id=meeting_id, principal=principal)


@router.post(
    "/check-ins",
    summary="Check in to a meeting with its code",
    description="An educator with a confirmed seat in the code's training. Marks them present "
    "(an absent mark becomes present; present or partial stay as they are), audited as a "
    "check-in; a repeat changes nothing. An unknown, retired or expired code, no confirmed "
    "seat, a cohort whose attendance is final, or a time outside 30 minutes before the "
    "meeting's start to its end → 409.",
    responses=errors(401, 403, 409, 422),
)
def check_in_with_code(
    body: CheckInRequest, session: SessionDep, principal: Educator
) -> CheckInPublic:
    """Check in."""
    return check_in.check_in(session=session, code=body.code, principal=principal)
