"""The affiliate's own facilitators (its admins only): who they are, what they may lead, whether
they accepted the invitation; adding one, who then leads only this affiliate's trainings until
an operator shares them."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import pages, registry
from services.portal.affiliate import console
from services.portal.affiliate.console import Console
from services.portal.affiliate.members import admin
from services.portal.deps import VisitDep
from services.portal.operator import facilitator_form, work
from services.portal.operator.facilitators import CertificationFormDep
from services.portal.profile import fields as zones

router = APIRouter(tags=["affiliate"])
PAGE = "/affiliate/{affiliate_id}/facilitators"


async def _page(entered: Console, **extra: Any) -> Response:
    connections = entered.visit.connections
    own = await work.affiliate_facilitators(
        connections.scheduler, token=entered.token, affiliate_id=entered.affiliate_id
    )
    programs = await registry.programs_to_post(connections.registry, token=entered.token)
    context = {"form": facilitator_form.FacilitatorForm(), "done": "", **extra}
    code = context.pop("status_code", 200)
    return console.render(
        entered,
        "affiliate_facilitators.html",
        status=code,
        own=own,
        programs=programs,
        titles={program["code"]: program["title"] for program in programs},
        known_problems=set(facilitator_form.PROBLEMS.values()),
        us_zones=zones.US_ZONES,
        other_zones=zones.other_zones(),
        **context,
    )


@router.get(PAGE)
async def facilitators_page(visit: VisitDep, affiliate_id: int, done: str = "") -> Response:
    """The affiliate's own facilitators and the form to add one."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    return await _page(entered, done=done if done == "added" else "")


@router.post(PAGE)
async def add_facilitator(
    visit: VisitDep, affiliate_id: int, fields: CertificationFormDep
) -> Response:
    """Add one of the affiliate's own facilitators; accounts invites them."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    found = facilitator_form.read_facilitator(fields)
    if found.errors:
        return await _page(entered, form=found, status_code=422)
    body = {**found.body, "affiliate_id": affiliate_id}
    outcome = await work.add_facilitator(
        visit.connections.scheduler, token=entered.token, body=body
    )
    if not outcome.done:
        refused = facilitator_form.refused(found, outcome.detail)
        return await _page(entered, form=refused, status_code=422)
    return pages.redirect(visit, f"/affiliate/{affiliate_id}/facilitators?done=added")
