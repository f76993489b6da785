"""In the room: the check-in code shown as a QR image and as text, and making a cohort's
attendance final once everyone is marked."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages
from services.portal.deps import FormDep, VisitDep
from services.portal.facilitator import desk as desks
from services.portal.facilitator import work
from services.portal.facilitator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["facilitator"])


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


CODE_REFUSED = _("Check-in opens 30 minutes before the meeting and closes when it ends.")


def _shown_code(desk: Desk, meeting_id: int) -> dict[str, str] | None:
    session = desk.visit.session
    code = session.check_in_codes.get(str(meeting_id)) if session else None
    if code is None or desks.utc(code["expires_at"]) <= datetime.now(UTC):
        return None
    return code


@router.get("/facilitator/meetings/{meeting_id}/check-in")
async def check_in_code_page(visit: VisitDep, meeting_id: int) -> Response:
    """The open check-in code (QR and text) with its expiry, or a button to open one."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(meeting_id):
        raise HTTPException(404)
    meeting = await desks.find_meeting(entered, meeting_id)
    code = _shown_code(entered, meeting_id)
    return desks.render(
        entered, "facilitator_check_in.html", meeting=meeting, code=code, refusal=None
    )


@router.post("/facilitator/meetings/{meeting_id}/check-in")
async def open_check_in_code(visit: VisitDep, meeting_id: int, form: FormDep) -> Response:
    """Open a new code for the meeting (the previous one stops working) and show it."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(meeting_id):
        raise HTTPException(404)
    meeting = await desks.find_meeting(entered, meeting_id)
    outcome = await work.open_check_in(
        visit.connections.scheduler, token=entered.token, meeting_id=meeting_id
    )
    if outcome.status == 404:
        raise HTTPException(404)
    if not outcome.done or outcome.body is None:
        return desks.render(
            entered,
            "facilitator_check_in.html",
            status=409,
            meeting=meeting,
            code=None,
            refusal=CODE_REFUSED,
        )
    assert visit.session is not None
    keep = ("code", "url", "qr_svg_url", "expires_at")
    visit.session.check_in_codes[str(meeting_id)] = {k: str(outcome.body[k]) for k in keep}
    await visit.save()
    return pages.redirect(visit, f"/facilitator/meetings/{meeting_id}/check-in")


def _cohort(items: list[dict[str, Any]], cohort_id: int) -> dict[str, Any]:
    found = [item for item in items if item["cohort_id"] == cohort_id]
    if not found:
        raise HTTPException(404)
    return found[0]


@router.post("/facilitator/cohorts/{cohort_id}/finalize")
async def finalise(visit: VisitDep, cohort_id: int, form: FormDep) -> Response:
    """Make the cohort's attendance final; the training's page says how many completed."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(cohort_id):
        raise HTTPException(404)
    scheduler = visit.connections.scheduler
    items = await work.assignments(scheduler, token=entered.token, facilitator_id=entered.person_id)
    cohort = _cohort(items, cohort_id)
    outcome = await work.finalise(scheduler, token=entered.token, cohort_id=cohort_id)
    back = f"/facilitator/offerings/{cohort['offering_id']}"
    if outcome.status == 404:
        raise HTTPException(404)
    if not outcome.done or outcome.body is None:
        return pages.redirect(visit, f"{back}?problem=unmarked&cohort={cohort_id}")
    completed, missed = len(outcome.body["completed"]), len(outcome.body["not_completed"])
    return pages.redirect(
        visit, f"{back}?done=finalised&cohort={cohort_id}&completed={completed}&missed={missed}"
    )
