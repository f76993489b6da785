"""One of the affiliate's offerings: its page with the roster of each cohort, publishing,
cancelling with a reason (after a confirmation page), and the roster as CSV or XLSX."""

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages, registry, scheduler
from services.portal.affiliate import console, roster_sheet
from services.portal.affiliate.console import Console
from services.portal.affiliate.editing import own_offering
from services.portal.deps import FormDep, VisitDep

router = APIRouter(tags=["affiliate"])
PAGE = "/affiliate/{affiliate_id}/offerings/{offering_id}"
MAX_REASON = 500
NOTICES = ("created", "saved", "published", "cancelled")


async def _roster(entered: Console, offering: dict[str, Any]) -> dict[str, Any] | None:
    if offering["status"] == "draft":
        return None
    answer = await scheduler.roster(
        entered.visit.connections.scheduler, token=entered.token, offering_id=offering["id"]
    )
    return None if answer is None else dict(answer.json())


async def _page(
    entered: Console, offering: dict[str, Any], *, status: int = 200, **context: Any
) -> Response:
    roster, seats = await asyncio.gather(
        _roster(entered, offering),
        scheduler.seats_left(entered.visit.connections.scheduler, [offering["id"]]),
    )
    return console.render(
        entered,
        "affiliate_offering.html",
        status=status,
        offering=offering,
        roster=roster,
        seats=seats.get(offering["id"]),
        **{"done": "", "problem": None, **context},
    )


@router.get(PAGE)
async def offering_page(
    visit: VisitDep, affiliate_id: int, offering_id: int, done: str = ""
) -> Response:
    """The offering, its meetings, seats and roster, and what the member may do with it."""
    entered = await console.enter(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    return await _page(entered, offering, done=done if done in NOTICES else "")


@router.post(PAGE + "/publish")
async def publish(visit: VisitDep, affiliate_id: int, offering_id: int, form: FormDep) -> Response:
    """Publish a draft: educators can find it and register."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    written = await registry.write_offering(
        visit.connections.registry, token=entered.token, offering_id=offering_id, action="publish"
    )
    if written.body is None:
        return await _page(entered, offering, status=409, problem=written.conflict or "")
    return pages.redirect(visit, f"{entered.home}/offerings/{offering_id}?done=published")


def _cancel_page(
    entered: Console, offering: dict[str, Any], *, reason: str = "", error: bool = False
) -> Response:
    return console.render(
        entered,
        "affiliate_cancel.html",
        status=422 if error else 200,
        offering=offering,
        reason=reason,
        error=error,
    )


@router.get(PAGE + "/cancel")
async def cancel_page(visit: VisitDep, affiliate_id: int, offering_id: int) -> Response:
    """What cancelling does, a reason to give, and one button (this page cancels nothing)."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    if offering["status"] == "cancelled":
        raise HTTPException(409)
    return _cancel_page(entered, offering)


@router.post(PAGE + "/cancel")
async def cancel(visit: VisitDep, affiliate_id: int, offering_id: int, form: FormDep) -> Response:
    """Cancel the offering with its reason; everyone registered is told (with the reason)."""
    entered = await console.enter(visit, affiliate_id, changing=True)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    reason = " ".join(form.get("reason", "").split())
    if not reason or len(reason) > MAX_REASON:
        return _cancel_page(entered, offering, reason=reason[:MAX_REASON], error=True)
    written = await registry.write_offering(
        visit.connections.registry,
        token=entered.token,
        offering_id=offering_id,
        action="cancel",
        body={"reason": reason},
    )
    if written.body is None:
        return await _page(entered, offering, status=409, problem=written.conflict or "")
    return pages.redirect(visit, f"{entered.home}/offerings/{offering_id}?done=cancelled")


def _download(entered: Console, content: bytes, kind: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return pages.finish(entered.visit, Response(content, media_type=kind, headers=headers))


@router.get(PAGE + "/roster.csv")
async def roster_csv(visit: VisitDep, affiliate_id: int, offering_id: int) -> Response:
    """The roster as the scheduler's CSV (UTF-8 with a byte-order mark, no live formulas)."""
    entered = await console.enter(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    await own_offering(entered, offering_id)
    answer = await scheduler.roster(
        visit.connections.scheduler, token=entered.token, offering_id=offering_id, as_csv=True
    )
    if answer is None:
        raise HTTPException(404)
    kind = "text/csv; charset=utf-8"
    return _download(entered, answer.content, kind, f"roster-{offering_id}.csv")


@router.get(PAGE + "/roster.xlsx")
async def roster_xlsx(visit: VisitDep, affiliate_id: int, offering_id: int) -> Response:
    """The roster as an Excel workbook, every cell text."""
    entered = await console.enter(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    offering = await own_offering(entered, offering_id)
    roster = await _roster(entered, offering)
    if roster is None:
        raise HTTPException(404)
    content = roster_sheet.roster_xlsx(roster)
    return _download(entered, content, roster_sheet.XLSX_TYPE, f"roster-{offering_id}.xlsx")
