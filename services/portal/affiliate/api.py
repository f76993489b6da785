"""The affiliate console's reading pages: which affiliate, its dashboard, its offerings."""

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages, registry, scheduler
from services.portal.affiliate import console
from services.portal.affiliate.attention import attention
from services.portal.affiliate.console import Console
from services.portal.deps import VisitDep

router = APIRouter(tags=["affiliate"])
STATUSES = ("draft", "published", "cancelled")


@router.get("/affiliate")
async def pick_affiliate(visit: VisitDep) -> Response:
    """The console of the person's one affiliate, or the list to pick one of several."""
    me = await visit.profile()
    if me is None:
        return console.to_sign_in(visit)
    found = console.memberships(me)
    if not found:
        raise HTTPException(404)
    if len(found) == 1:
        return pages.redirect(visit, f"/affiliate/{found[0].affiliate_id}")
    return pages.render(visit, "affiliate_pick.html", memberships=found)


async def _offerings_and_seats(
    entered: Console,
) -> tuple[list[dict[str, object]], dict[int, scheduler.Seats]]:
    offerings = await registry.own_offerings(
        entered.visit.connections.registry, token=entered.token, affiliate_id=entered.affiliate_id
    )
    published = [o["id"] for o in offerings if o["status"] == "published"][:100]
    seats = await scheduler.seats_left(entered.visit.connections.scheduler, published)
    return offerings, seats


@router.get("/affiliate/{affiliate_id}")
async def dashboard(visit: VisitDep, affiliate_id: int) -> Response:
    """What needs attention: waiting cohorts, long waitlists, this week's meetings, drafts."""
    entered = await console.enter(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    (offerings, seats), waiting = await asyncio.gather(
        _offerings_and_seats(entered),
        scheduler.waiting_cohorts(
            visit.connections.scheduler, token=entered.token, affiliate_id=affiliate_id
        ),
    )
    found = attention(offerings, seats, waiting, datetime.now(UTC))
    return console.render(entered, "affiliate_dashboard.html", attention=found)


@router.get("/affiliate/{affiliate_id}/offerings")
async def offerings_page(visit: VisitDep, affiliate_id: int, status: str = "") -> Response:
    """The affiliate's offerings (drafts, published, cancelled) with seats and waitlist."""
    entered = await console.enter(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    offerings, seats = await _offerings_and_seats(entered)
    groups = {name: [o for o in offerings if o["status"] == name] for name in STATUSES}
    return console.render(entered, "affiliate_offerings.html", groups=groups, seats=seats)
