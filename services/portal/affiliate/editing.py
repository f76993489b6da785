"""The offering form's pages: a new offering, a change to one, a copy for next term; "Add
another meeting" posts the form back with one more row (nothing is saved then)."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages, registry
from services.portal.affiliate import console, offering_form, refusals
from services.portal.affiliate.console import Console, OfferingFormDep
from services.portal.affiliate.offering_form import MeetingRow, OfferingForm
from services.portal.deps import VisitDep
from services.portal.profile import fields as profile_fields
from shared.validation import storable_id

router = APIRouter(tags=["affiliate"])
ADD_MEETING = "add-meeting"
MAX_WEEKS = 104


async def _form_page(
    entered: Console,
    typed: OfferingForm,
    *,
    offering: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    programs = await registry.programs_to_post(
        entered.visit.connections.registry, token=entered.token
    )
    base = f"{entered.home}/offerings"
    action = f"{base}/{offering['id']}/edit" if offering else f"{base}/new"
    return console.render(
        entered,
        "affiliate_offering_form.html",
        status=status,
        form=typed,
        offering=offering,
        action=action,
        programs=programs,
        formats=offering_form.FORMATS,
        us_zones=profile_fields.US_ZONES,
        other_zones=profile_fields.other_zones(),
    )


async def own_offering(entered: Console, offering_id: int) -> dict[str, Any]:
    """One of the affiliate's offerings (a 404 page for any other)."""
    found = None
    if storable_id(offering_id):
        found = await registry.own_offering(
            entered.visit.connections.registry, token=entered.token, offering_id=offering_id
        )
    if found is None or found.get("affiliate_id") != entered.affiliate_id:
        raise HTTPException(404)
    return found


@router.get("/affiliate/{affiliate_id}/offerings/new")
async def new_offering_page(visit: VisitDep, affiliate_id: int) -> Response:
    """An empty offering form with one meeting row."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    return await _form_page(entered, offering_form.blank_form())


async def _with_another_row(entered: Console, typed: OfferingForm, **kw: Any) -> Response:
    typed.errors.clear()
    if len(typed.meetings) < offering_form.MAX_MEETINGS:
        typed.meetings.append(MeetingRow())
    return await _form_page(entered, typed, **kw)


@router.post("/affiliate/{affiliate_id}/offerings/new")
async def create_offering(visit: VisitDep, affiliate_id: int, form: OfferingFormDep) -> Response:
    """Create the offering as a draft (then its page), or the form again with each refusal next
    to its field and nothing saved."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    typed = offering_form.read_form(form)
    if form.get("action") == ADD_MEETING:
        return await _with_another_row(entered, typed)
    if typed.wrong:
        return await _form_page(entered, typed, status=422)
    written = await registry.write_offering(
        visit.connections.registry,
        token=entered.token,
        body=offering_form.creation(typed, affiliate_id),
    )
    if written.forbidden:
        raise HTTPException(403)
    if written.body is None:
        return await _form_page(entered, refusals.refused(typed, written.refused), status=422)
    return pages.redirect(visit, f"{entered.home}/offerings/{written.body['id']}?done=created")


@router.get("/affiliate/{affiliate_id}/offerings/{offering_id}/edit")
async def edit_offering_page(visit: VisitDep, affiliate_id: int, offering_id: int) -> Response:
    """The form filled in with the offering as it is (not for a cancelled one)."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    if offering["status"] == "cancelled":
        raise HTTPException(409)
    return await _form_page(entered, offering_form.from_offering(offering), offering=offering)


@router.post("/affiliate/{affiliate_id}/offerings/{offering_id}/edit")
async def change_offering(
    visit: VisitDep, affiliate_id: int, offering_id: int, form: OfferingFormDep
) -> Response:
    """Save the changes (then the offering's page), or the form again with the refusals."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    # What the registry does not let a change touch stays as the offering has it.
    fixed = {name: str(offering[name]) for name in ("program_code", "format", "timezone")}
    typed = offering_form.read_form(form | fixed)
    if form.get("action") == ADD_MEETING:
        return await _with_another_row(entered, typed, offering=offering)
    if typed.wrong:
        return await _form_page(entered, typed, offering=offering, status=422)
    written = await registry.write_offering(
        visit.connections.registry,
        token=entered.token,
        offering_id=offering_id,
        body=offering_form.change(typed),
    )
    if written.forbidden or written.missing:
        raise HTTPException(404)
    if written.conflict is not None:
        typed.problems.append(refusals.reason(written.conflict))
    if written.body is None:
        typed = refusals.refused(typed, written.refused)
        return await _form_page(entered, typed, offering=offering, status=422)
    return pages.redirect(visit, f"{entered.home}/offerings/{offering_id}?done=saved")


@router.get("/affiliate/{affiliate_id}/offerings/{offering_id}/duplicate")
async def duplicate_page(
    visit: VisitDep, affiliate_id: int, offering_id: int, weeks: int = 13
) -> Response:
    """A new offering's form filled in from this one, its meetings `weeks` later (same wall
    times); nothing is created until the form is sent."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    if not 0 <= weeks <= MAX_WEEKS:
        raise HTTPException(422)
    return await _form_page(entered, offering_form.from_offering(offering, weeks_later=weeks))
