"""Cohorts waiting for a facilitator, each with the reason nobody fits, and a re-plan of the
coming weeks whose outcome the page shows."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.desk import Desk

router = APIRouter(tags=["operator"])
PLAN_WEEKS = 13


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


REASONS = {
    "nobody_certified": _("No facilitator is certified for this program in reach of it."),
    "nobody_available": _("The certified facilitators are not free at its meeting times."),
    "all_at_cap": _("The certified facilitators have reached their sessions for the month."),
    "not_enough_facilitators": _("Too few certified facilitators are free for all its meetings."),
}
PLAN_REFUSED = _("The plan could not be made: try again in a minute.")


def _page(desk: Desk, waiting: dict[str, Any], **extra: Any) -> Response:
    context = {"outcome": None, "refusal": None, **extra}
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_cohorts.html",
        status=code,
        waiting=waiting,
        reasons=REASONS,
        plan_weeks=PLAN_WEEKS,
        **context,
    )


@router.get("/operator/cohorts")
async def waiting_cohorts(visit: VisitDep) -> Response:
    """The cohorts waiting for a facilitator, soonest first, and why."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    waiting = await work.waiting_cohorts(visit.connections.scheduler, token=entered.token)
    return _page(entered, waiting)


@router.post("/operator/cohorts/plan")
async def replan(visit: VisitDep, form: FormDep) -> Response:
    """Re-plan the facilitators of the cohorts starting in the coming weeks; show what changed."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    scheduler = visit.connections.scheduler
    now = datetime.now(UTC)
    outcome = await work.plan(
        scheduler,
        token=entered.token,
        starts_after=now.isoformat(),
        starts_before=(now + timedelta(weeks=PLAN_WEEKS)).isoformat(),
    )
    waiting = await work.waiting_cohorts(scheduler, token=entered.token)
    if not outcome.done:
        return _page(entered, waiting, refusal=PLAN_REFUSED, status_code=409)
    return _page(entered, waiting, outcome=outcome.body)
