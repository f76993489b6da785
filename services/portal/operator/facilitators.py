"""The facilitator pool: who is certified for which program, whether they accepted their
invitation, and sharing an affiliate's own facilitator with every affiliate."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import forms, pages, registry
from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import facilitator_form, work
from services.portal.operator.desk import Desk
from services.portal.profile import fields as zones
from shared.validation import storable_id

router = APIRouter(tags=["operator"])
# One checkbox per program; a pool of programs far smaller than this.
MAX_CERTIFICATION_FIELDS = 300


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


NOTICES = {
    "certified": _("The certifications are saved."),
    "shared": _("The facilitator now leads any affiliate's trainings."),
    "unshared": _("The facilitator now leads only their own affiliate's trainings."),
    "added": _("The facilitator is added and invited by mail; they set their own availability."),
}


async def certification_form(request: Request, visit: VisitDep) -> list[tuple[str, str]]:
    """The posted checkboxes (a name may repeat) once the CSRF token matched the session's."""
    fields = await forms.read_pairs(request, max_fields=MAX_CERTIFICATION_FIELDS)
    forms.check_csrf(dict(fields), visit.session)
    return fields


CertificationFormDep = Annotated[list[tuple[str, str]], Depends(certification_form)]


def _offset(page: int) -> int:
    return (work.shown_page(page) - 1) * work.PAGE


async def _page(desk: Desk, page: int = 1, **extra: Any) -> Response:
    connections = desk.visit.connections
    pool = await work.facilitators(connections.scheduler, token=desk.token, offset=_offset(page))
    programs = await registry.programs_to_post(connections.registry, token=desk.token)
    context = {
        "notice": None,
        "released": [],
        "refusal": None,
        "form": facilitator_form.FacilitatorForm(),
        **extra,
    }
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_facilitators.html",
        status=code,
        pool=pool,
        page=work.shown_page(page),
        pages=work.page_count(pool["total"]),
        programs=programs,
        titles={program["code"]: program["title"] for program in programs},
        known_problems=set(facilitator_form.PROBLEMS.values()),
        us_zones=zones.US_ZONES,
        other_zones=zones.other_zones(),
        **context,
    )


@router.get("/operator/facilitators")
async def facilitator_pool(visit: VisitDep, done: str = "", page: int = 1) -> Response:
    """The facilitators, 50 a page, with their certifications and the forms to change them."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    return await _page(entered, page, notice=NOTICES.get(done))


@router.post("/operator/facilitators/{facilitator_id}/certifications")
async def certify(visit: VisitDep, facilitator_id: int, fields: CertificationFormDep) -> Response:
    """Replace the programs a facilitator may lead; say which trainings they gave up."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(facilitator_id):
        raise HTTPException(404)
    codes = sorted({value for name, value in fields if name == "program"})
    outcome = await work.certify(
        visit.connections.scheduler, token=entered.token, facilitator_id=facilitator_id, codes=codes
    )
    if outcome.status == 404:
        raise HTTPException(404)
    if not outcome.done or outcome.body is None:
        return await _page(entered, refusal=outcome.detail, status_code=outcome.status)
    released = outcome.body.get("released") or []
    return await _page(entered, notice=NOTICES["certified"], released=released)


@router.post("/operator/facilitators/{facilitator_id}/sharing")
async def share(visit: VisitDep, facilitator_id: int, form: FormDep) -> Response:
    """Share an affiliate's own facilitator with every affiliate, or stop sharing them."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(facilitator_id):
        raise HTTPException(404)
    shared = form.get("shared") == "yes"
    outcome = await work.share(
        visit.connections.scheduler,
        token=entered.token,
        facilitator_id=facilitator_id,
        shared=shared,
    )
    if outcome.status == 404:
        raise HTTPException(404)
    done = "shared" if shared else "unshared"
    return pages.redirect(visit, f"/operator/facilitators?done={done}")


@router.post("/operator/facilitators")
async def add_facilitator(visit: VisitDep, fields: CertificationFormDep) -> Response:
    """Add a facilitator to the pool (accounts invites them); a wrong field shows the form."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    found = facilitator_form.read_facilitator(fields)
    if found.errors:
        return await _page(entered, form=found, status_code=422)
    outcome = await work.add_facilitator(
        visit.connections.scheduler, token=entered.token, body=found.body
    )
    if not outcome.done:
        refused = facilitator_form.refused(found, outcome.detail)
        return await _page(entered, form=refused, status_code=422)
    # Oldest first: the new facilitator is on the last page.
    pool = await work.facilitators(visit.connections.scheduler, token=entered.token)
    last = work.page_count(pool["total"])
    return pages.redirect(visit, f"/operator/facilitators?done=added&page={last}")
