"""The facilitator's schedule: what is coming, the cohorts they lead with venue or link,
co-facilitators and roster, their certifications and their calendar feed."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import notifier, registry
from services.portal.deps import VisitDep
from services.portal.facilitator import desk as desks
from services.portal.facilitator import work
from services.portal.facilitator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["facilitator"])
WEEK = timedelta(days=7)


async def _overview(desk: Desk) -> tuple[Any, ...]:
    connections = desk.visit.connections
    scheduler = connections.scheduler
    return tuple(
        await asyncio.gather(
            work.assignments(scheduler, token=desk.token, facilitator_id=desk.person_id),
            work.facilitator(scheduler, token=desk.token, facilitator_id=desk.person_id),
            notifier.read_feed(connections.notifier, token=desk.token),
            registry.list_programs(connections.registry, token=desk.token),
        )
    )


@router.get("/facilitator")
async def schedule(visit: VisitDep) -> Response:
    """My schedule: this week's meetings first, then every cohort I lead; certifications; feed."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    items, record, feed, programs = await _overview(entered)
    titles = {program["code"]: program["title"] for program in programs}
    now = datetime.now(UTC)
    coming = desks.upcoming(items, now)
    this_week = [m for m in coming if desks.utc(m["starts_at_utc"]) < now + WEEK]
    return desks.render(
        entered,
        "facilitator_schedule.html",
        this_week=this_week,
        later=coming[len(this_week) :],
        cohorts=items,
        record=record,
        titles=titles,
        feed=feed,
    )


def _cohorts_of(item_list: list[dict[str, Any]], offering_id: int) -> list[dict[str, Any]]:
    return [item for item in item_list if item["offering_id"] == offering_id]


def _count(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 6 else 0


def _finalised(query: dict[str, str]) -> dict[str, Any] | None:
    """What finalising a cohort gave, from the address the finalise form sent the browser to."""
    if query.get("done") == "finalised":
        return {
            "completed": _count(query.get("completed", "")),
            "missed": _count(query.get("missed", "")),
        }
    return None


@router.get("/facilitator/offerings/{offering_id}")
async def offering(visit: VisitDep, offering_id: int) -> Response:
    """A training I lead: where it meets, its meetings, who leads it with me and who attends."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(offering_id):
        raise HTTPException(404)
    connections = entered.visit.connections
    items, roster = await asyncio.gather(
        work.assignments(
            connections.scheduler, token=entered.token, facilitator_id=entered.person_id
        ),
        work.roster(connections.scheduler, token=entered.token, offering_id=offering_id),
    )
    mine = _cohorts_of(items, offering_id)
    if not mine or roster is None:
        raise HTTPException(404)
    led = {item["cohort_id"] for item in mine}
    cohorts = [c for c in roster.get("cohorts", []) if c["id"] in led]
    return desks.render(
        entered,
        "facilitator_offering.html",
        assignments=mine,
        cohorts=cohorts,
        training=mine[0],
        me_id=entered.person_id,
        finalised=_finalised(dict(visit.request.query_params)),
        unmarked=visit.request.query_params.get("problem") == "unmarked",
    )
