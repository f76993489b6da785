"""An offering's page and its Register button."""

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages, registry, scheduler
from services.portal.catalogue import cards
from services.portal.deps import FormDep, VisitDep
from services.portal.offerings import details
from services.portal.visits import Visit

router = APIRouter(tags=["offerings"])
MAX_ID = 2**31 - 1


async def _offering(visit: Visit, offering_id: int) -> dict[str, Any]:
    found = None
    if 0 < offering_id <= MAX_ID:
        token = await visit.access_token()
        found = await registry.read_offering(
            visit.connections.registry, offering_id=offering_id, token=token
        )
    if found is None:
        raise HTTPException(404)
    return found


async def _registration(visit: Visit, offering_id: int) -> dict[str, Any] | None:
    token = await visit.access_token()
    if token is None:
        return None
    mine = await scheduler.list_registrations(
        visit.connections.scheduler, token=token, offering_id=offering_id
    )
    return scheduler.current(mine or [])


async def _nothing() -> None:
    return None


async def _page(
    visit: Visit, offering: dict[str, Any], *, status: int = 200, problem: str | None = None
) -> Response:
    me = await visit.profile()
    zone = me.get("timezone") if me else None
    registration, seats = await asyncio.gather(
        _registration(visit, offering["id"]) if me else _nothing(),
        scheduler.seats_left(visit.connections.scheduler, [offering["id"]]),
    )
    return pages.render(
        visit,
        "offering.html",
        status=status,
        offering=offering,
        format=cards.FORMAT_NAMES.get(offering["format"], offering["format"]),
        timetables=details.timetables(offering, zone, visit.language),
        pd_hours=details.pd_hours(offering, visit.language),
        registration=registration,
        seats=seats.get(offering["id"]),
        problem=problem,
    )


def _to_sign_in(visit: Visit, offering_id: int) -> Response:
    return pages.redirect(visit, "/sign-in?next=" + quote(f"/offerings/{offering_id}", safe=""))


@router.get("/offerings/{offering_id}")
async def offering_page(visit: VisitDep, offering_id: int) -> Response:
    """The offering's details, meetings and Register button (or where the person stands)."""
    offering = await _offering(visit, offering_id)
    await visit.ensure_session()
    return await _page(visit, offering)


@router.post("/offerings/{offering_id}/register")
async def register(visit: VisitDep, form: FormDep, offering_id: int) -> Response:
    """Register the signed-in person; a visitor signs in first and comes back here."""
    offering = await _offering(visit, offering_id)
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, offering_id)
    answer = await scheduler.register(
        visit.connections.scheduler, token=token, offering_id=offering_id
    )
    if answer.refused and visit.session is not None:
        visit.session.signed_out()
        await visit.save()
        return _to_sign_in(visit, offering_id)
    if answer.missing:
        raise HTTPException(404)
    if answer.not_an_educator:
        return await _page(visit, offering, status=403, problem=details.NOT_AN_EDUCATOR)
    if answer.conflict is not None:
        problem = details.conflict_message(answer.conflict)
        return await _page(visit, offering, status=409, problem=problem)
    return pages.redirect(visit, f"/offerings/{offering_id}")
