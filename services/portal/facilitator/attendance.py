"""Taking attendance in the room: the roster of one meeting with one control per person, and
making a cohort's attendance final (which decides PD credit)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import forms, pages
from services.portal.deps import VisitDep
from services.portal.facilitator import desk as desks
from services.portal.facilitator import marks, work
from services.portal.facilitator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["facilitator"])
# Two fields per participant (the mark and the minutes); cohorts stay far below this.
MAX_ATTENDANCE_FIELDS = 1000


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


NOTICES = {"saved": _("Attendance is saved.")}
REFUSALS = {
    409: _(
        "Attendance can be marked from 30 minutes before the meeting until 7 days after it, "
        "and not once it is final."
    ),
    422: _("The scheduler did not take these marks: check them and save again."),
}


async def attendance_form(request: Request, visit: VisitDep) -> dict[str, str]:
    """The posted attendance form once its CSRF token matched the session's."""
    form = await forms.read_form(request, max_fields=MAX_ATTENDANCE_FIELDS)
    forms.check_csrf(form, visit.session)
    return form


AttendanceFormDep = Annotated[dict[str, str], Depends(attendance_form)]


def _length(meeting: dict[str, Any]) -> int:
    span = desks.utc(meeting["ends_at_utc"]) - desks.utc(meeting["starts_at_utc"])
    return max(1, int(span.total_seconds() // 60))


async def _roster(desk: Desk, meeting_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not storable_id(meeting_id):
        raise HTTPException(404)
    meeting = await desks.find_meeting(desk, meeting_id)
    found = await work.attendance(
        desk.visit.connections.scheduler, token=desk.token, meeting_id=meeting_id
    )
    if found is None:
        raise HTTPException(404)
    return meeting, found["items"]


def _page(desk: Desk, meeting: dict[str, Any], items: list[dict[str, Any]], **extra: Any) -> Any:
    status = extra.pop("status", 200)
    context = {"notice": None, "refusal": None, "marking": marks.Marking(), **extra}
    return desks.render(
        desk,
        "facilitator_attendance.html",
        status=status,
        meeting=meeting,
        items=items,
        minutes_most=_length(meeting),
        status_names=marks.STATUS_NAMES,
        **context,
    )


@router.get("/facilitator/meetings/{meeting_id}/attendance")
async def attendance_page(visit: VisitDep, meeting_id: int, done: str = "") -> Response:
    """The meeting's participants, each with present, absent or part of the time."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    meeting, items = await _roster(entered, meeting_id)
    return _page(entered, meeting, items, notice=NOTICES.get(done))


@router.post("/facilitator/meetings/{meeting_id}/attendance")
async def save_attendance(visit: VisitDep, meeting_id: int, form: AttendanceFormDep) -> Response:
    """Save the marks that changed; a wrong minute count or a closed window says so."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    meeting, items = await _roster(entered, meeting_id)
    marking = marks.read_marks(form, items, _length(meeting))
    if marking.errors:
        return _page(entered, meeting, items, marking=marking, status=422)
    if marking.marks:
        outcome = await work.mark(
            visit.connections.scheduler,
            token=entered.token,
            meeting_id=meeting_id,
            marks=marking.marks,
        )
        if not outcome.done:
            refusal = REFUSALS.get(outcome.status, REFUSALS[422])
            return _page(
                entered,
                meeting,
                items,
                marking=marking,
                refusal=refusal,
                status=outcome.status if outcome.status in REFUSALS else 422,
            )
    return pages.redirect(visit, f"/facilitator/meetings/{meeting_id}/attendance?done=saved")
