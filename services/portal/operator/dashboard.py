"""The operator's landing page: what needs attention across the programme (failed mail, parked
events, cohorts waiting for a facilitator, full cohorts with long waitlists), each linking to the
page that deals with it, and the cohorts starting this week."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal.deps import VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.desk import Desk

router = APIRouter(tags=["operator"])
# The services whose consumers park events; the operator redrives them on each one.
CONSUMERS = ("registry", "scheduler", "notifier")
# A waitlist this long on a full cohort suggests opening another cohort or offering.
LONG_WAITLIST = 5
WEEK = timedelta(days=7)


def long_waitlists(cohorts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One full cohort per offering whose waitlist is long, soonest first."""
    seen: set[int] = set()
    found = []
    for cohort in cohorts:
        full = cohort["seated"] >= cohort["capacity"]
        if (
            full
            and cohort["offering_waitlist"] >= LONG_WAITLIST
            and cohort["offering_id"] not in seen
        ):
            seen.add(cohort["offering_id"])
            found.append(cohort)
    return found


async def dead_by_service(desk: Desk) -> dict[str, dict[str, Any]]:
    """Each consuming service's parked events, in the order of CONSUMERS."""
    connections = desk.visit.connections
    pages = await asyncio.gather(
        *(work.dead_events(connections.apis[service], token=desk.token) for service in CONSUMERS)
    )
    return dict(zip(CONSUMERS, pages, strict=True))


@router.get("/operator")
async def dashboard(visit: VisitDep) -> Response:
    """What needs the operator's attention right now."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    connections = visit.connections
    now = datetime.now(UTC)
    failed, waiting, dead, ahead, this_week = await asyncio.gather(
        work.deliveries(connections.notifier, token=entered.token, status="failed", recipient=""),
        work.waiting_cohorts(connections.scheduler, token=entered.token),
        dead_by_service(entered),
        work.cohorts(connections.scheduler, token=entered.token, starts_after=now.isoformat()),
        work.cohorts(
            connections.scheduler,
            token=entered.token,
            starts_after=now.isoformat(),
            starts_before=(now + WEEK).isoformat(),
        ),
    )
    return desks.render(
        entered,
        "operator_dashboard.html",
        failed=failed,
        waiting=waiting,
        dead_total=sum(page["total"] for page in dead.values()),
        long_waitlists=long_waitlists(ahead["items"]),
        this_week=this_week["items"],
    )
