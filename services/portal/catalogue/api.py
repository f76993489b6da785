"""The catalogue at `/`: published offerings, searched with a GET form, a page at a time
(keyset pages: "Next" carries the registry's cursor, "Previous" the trail of earlier ones)."""

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
    visit: Visit, wanted: search.Search, zone: ZoneInfo, token: str | None
) -> tuple[search.Search, dict[str, Any], dict[int, Seats]]:
    """A page of offerings, then the seats left in each (one call for the whole page)."""
    client = visit.connections.registry
    found = await registry.find_offerings(client, params=wanted.filters(zone), token=token)
    if found is None:
        # The registry refused the address's cursor: show the same search from its first page.
        wanted = wanted.first_page()
        found = await registry.find_offerings(client, params=wanted.filters(zone), token=token)
    found = found or NOTHING_FOUND
    ids = [offering["id"] for offering in found["items"]]
    return wanted, found, await scheduler.seats_left(visit.connections.scheduler, ids)


def fetched_in_place(visit: Visit) -> bool:
    """Tell whether htmx asks for the page's results to swap in, rather than a whole page."""
    headers = visit.request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


@router.get("/")
async def catalogue(visit: VisitDep) -> Response:
    """The search form and one page of the offerings it finds, with the seats each has left;
    programs not listed publicly only for a signed-in person (the registry decides, from their
    access token)."""
    me = await visit.profile()
    token = await visit.access_token() if me else None
    wanted = search.read_search(visit.request.query_params)
    listing = registry.list_programs(visit.connections.registry, token)
    found, seats = NOTHING_FOUND, {}
    if wanted.errors:
        programs = await listing
    else:
        zone = dates.zone_of(me.get("timezone") if me else None) or UTC
        # The programs for the form and the page of offerings, asked side by side.
        programs, (wanted, found, seats) = await asyncio.gather(
            listing, _found(visit, wanted, zone, token)
        )
    # htmx asks for the results alone (a search or a page turned in place); anything else,
    # restoring history included, gets the whole page. A refused search is always a whole page.
    partial = fetched_in_place(visit) and not wanted.errors
    return pages.render(
        visit,
        "catalogue_results.html" if partial else "catalogue.html",
        status=422 if wanted.errors else 200,
        headers={"Vary": "HX-Request"},
        swap_out_of_band=partial,
        me=me,
        search=wanted,
        programs=programs,
        formats=cards.FORMAT_NAMES,
        cards=[
            cards.card_of(offering, visit.language, seats.get(offering["id"]))
            for offering in found["items"]
        ],
        total=found["total"],
        previous_link=wanted.previous_link(),
        next_link=wanted.next_link(found.get("next_cursor")),
    )
