"""The catalogue at `/`: published offerings, searched with a GET form, a page at a time."""

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import dates, pages, registry, scheduler
from services.portal.catalogue import cards, search
from services.portal.deps import VisitDep
from services.portal.scheduler import Seats
from services.portal.visits import Visit

router = APIRouter(tags=["catalogue"])
UTC = ZoneInfo("UTC")


NOTHING_FOUND: dict[str, Any] = {"items": [], "total": 0}


async def _found(
    visit: Visit, wanted: search.Search, zone: ZoneInfo
) -> tuple[dict[str, Any], dict[int, Seats]]:
    """A page of offerings, then the seats left in each (one call for the whole page)."""
    if wanted.errors:
        return NOTHING_FOUND, {}
    found = await registry.find_offerings(visit.connections.registry, params=wanted.filters(zone))
    ids = [offering["id"] for offering in found["items"]]
    return found, await scheduler.seats_left(visit.connections.scheduler, ids)


@router.get("/")
async def catalogue(visit: VisitDep) -> Response:
    """The search form and one page of the offerings it finds, with the seats each has left."""
    me = await visit.profile()
    wanted = search.read_search(visit.request.query_params)
    zone = dates.zone_of(me.get("timezone") if me else None) or UTC
    programs, (found, seats) = await asyncio.gather(
        registry.list_programs(visit.connections.registry), _found(visit, wanted, zone)
    )
    return pages.render(
        visit,
        "catalogue.html",
        status=422 if wanted.errors else 200,
        me=me,
        search=wanted,
        programs=programs,
        formats=cards.FORMAT_NAMES,
        cards=[
            cards.card_of(offering, visit.language, seats.get(offering["id"]))
            for offering in found["items"]
        ],
        total=found["total"],
        page_size=search.PAGE_SIZE,
    )
