"""Routes for attendance: read and mark who was at a meeting."""

from typing import Annotated

from fastapi import APIRouter, Body

from services.scheduler.attendance import service
from services.scheduler.attendance.schemas import AttendanceMark, MeetingAttendance
from services.scheduler.deps import AttendanceTaker, SessionDep, errors
from shared.validation import Id

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
