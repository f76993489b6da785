"""My trainings (`/me`): the person's registrations, cancelling one, and their calendar feed."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import dates, notifier, pages, registry, scheduler
from services.portal.deps import FormDep, VisitDep
from services.portal.my_trainings import listing
from services.portal.visits import Visit

router = APIRouter(tags=["my trainings"])
MAX_ID = 2**31 - 1


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


# What /me says after a confirmation page sent the person back to it (`?done=`).
NOTICES = {
    "cancelled": _("Your registration is cancelled."),
    "calendar-reset": _("Your calendar has a new address. The old one no longer works."),
}


def _to_sign_in(visit: Visit, here: str) -> Response:
    return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))


async def _signed_out(visit: Visit) -> None:
    if visit.session is not None:
        visit.session.signed_out()
        await visit.save()


async def _registration(visit: Visit, token: str, registration_id: int) -> dict[str, Any]:
    found = None
    if 0 < registration_id <= MAX_ID:
        found = await scheduler.read_registration(
            visit.connections.scheduler, token=token, registration_id=registration_id
        )
    if found is None:
        raise HTTPException(404)
    return found


async def _credits(visit: Visit, token: str) -> dict[str, Any]:
    credits = await scheduler.list_credits(visit.connections.scheduler, token=token)
    for item in credits.get("items", []):
        item["completed_day"] = dates.long_day(str(item.get("completed_on", "")), visit.language)
        item["hours_shown"] = dates.number(item.get("hours", 0), visit.language)
    credits["hours_total_shown"] = dates.number(credits.get("hours_total", 0), visit.language)
    return credits


@router.get("/me")
async def my_trainings(visit: VisitDep, done: str = "") -> Response:
    """Upcoming and past registrations, the calendar feed to subscribe to, and PD credit."""
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, "/me")
    mine = await scheduler.list_registrations(visit.connections.scheduler, token=token)
    if mine is None:
        await _signed_out(visit)
        return _to_sign_in(visit, "/me")
    entries = await listing.entries(visit.connections.registry, mine, visit.language, token)
    return pages.render(
        visit,
        "my_trainings.html",
        upcoming=[entry for entry in entries if not entry.past],
        past=[entry for entry in entries if entry.past],
        feed=await notifier.read_feed(visit.connections.notifier, token=token),
        credits=await _credits(visit, token),
        notice=NOTICES.get(done),
    )


@router.get("/me/registrations/{registration_id}/cancel")
async def cancel_page(visit: VisitDep, registration_id: int) -> Response:
    """Ask whether to cancel the registration (its own form, no JavaScript needed)."""
    here = f"/me/registrations/{registration_id}/cancel"
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, here)
    registration = await _registration(visit, token, registration_id)
    if registration["status"] == "cancelled":
        return pages.redirect(visit, "/me")
    offering = await registry.read_offering(
        visit.connections.registry, offering_id=registration["offering_id"], token=token
    )
    title = offering["title"] if offering else ""
    return pages.render(visit, "cancel_registration.html", registration=registration, title=title)


@router.post("/me/registrations/{registration_id}/cancel")
async def cancel(visit: VisitDep, form: FormDep, registration_id: int) -> Response:
    """Cancel the registration at the scheduler and go back to My trainings."""
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, "/me")
    answer = await scheduler.cancel(
        visit.connections.scheduler, token=token, registration_id=registration_id
    )
    if answer.refused:
        await _signed_out(visit)
        return _to_sign_in(visit, "/me")
    if answer.registration is None:
        raise HTTPException(404)
    return pages.redirect(visit, "/me?done=cancelled")


@router.get("/me/calendar/reset")
async def reset_calendar_page(visit: VisitDep) -> Response:
    """Ask whether to give the calendar feed a new address."""
    if await visit.access_token() is None:
        return _to_sign_in(visit, "/me/calendar/reset")
    return pages.render(visit, "reset_calendar.html")


@router.post("/me/calendar/reset")
async def reset_calendar(visit: VisitDep, form: FormDep) -> Response:
    """Give the feed a new address at the notifier and go back to My trainings."""
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, "/me")
    if not await notifier.reset_feed(visit.connections.notifier, token=token):
        await _signed_out(visit)
        return _to_sign_in(visit, "/me")
    return pages.redirect(visit, "/me?done=calendar-reset")
