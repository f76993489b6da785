"""The operator's landing page: what needs attention across the programme (failed mail, parked
events, cohorts waiting for a facilitator), each linking to the page that deals with it."""

import asyncio
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
    failed, waiting, dead = await asyncio.gather(
        work.deliveries(connections.notifier, token=entered.token, status="failed", recipient=""),
        work.waiting_cohorts(connections.scheduler, token=entered.token),
        dead_by_service(entered),
    )
    return desks.render(
        entered,
        "operator_dashboard.html",
        failed=failed,
        waiting=waiting,
        dead_total=sum(page["total"] for page in dead.values()),
    )
