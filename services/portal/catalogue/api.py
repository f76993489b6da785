"""The catalogue at `/`: published offerings, searched with a GET form, a page at a time."""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import dates, pages, registry
from services.portal.catalogue import cards, search
from services.portal.deps import VisitDep

router = APIRouter(tags=["catalogue"])
UTC = ZoneInfo("UTC")


@router.get("/")
async def catalogue(visit: VisitDep) -> Response:
    """The search form and one page of the offerings it finds."""
    me = await visit.profile()
    wanted = search.read_search(visit.request.query_params)
    programs = await registry.list_programs(visit.connections.registry)
    found: dict[str, Any] = {"items": [], "total": 0}
    if not wanted.errors:
        zone = dates.zone_of(me.get("timezone") if me else None) or UTC
        found = await registry.find_offerings(
            visit.connections.registry, params=wanted.filters(zone)
        )
    return pages.render(
        visit,
        "catalogue.html",
        status=422 if wanted.errors else 200,
        me=me,
        search=wanted,
        programs=programs,
        formats=cards.FORMAT_NAMES,
        cards=[cards.card_of(offering, visit.language) for offering in found["items"]],
        total=found["total"],
        page_size=search.PAGE_SIZE,
    )
