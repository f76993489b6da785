"""The delivery ledger (failed messages with their error, sent again with one button) and the
events each service parked as dead (sent to their consumer again)."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages
from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.dashboard import CONSUMERS, dead_by_service
from services.portal.operator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["operator"])
STATUSES = ("failed", "queued", "sending", "sent")


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


STATUS_NAMES = {
    "failed": _("Failed"),
    "queued": _("Waiting to be sent"),
    "sending": _("Being sent"),
    "sent": _("Sent"),
}
SERVICE_NAMES = {
    "registry": _("Programs and offerings (registry)"),
    "scheduler": _("Registrations and staffing (scheduler)"),
    "notifier": _("Mail and calendars (notifier)"),
}
NOTICES = {
    "retried": _("The message is queued to be sent again."),
    "redriven": _("The event is sent to its service again."),
}
NOT_FAILED = _(
    "This message has not failed, or its content is no longer kept: it cannot be sent again."
)
UNREADABLE = _("This parked event cannot be read as an event, so it stays parked.")
GONE = _("This parked event is no longer there: someone may have sent it again already.")


def _ledger_page(
    desk: Desk, found: dict[str, Any], status: str, recipient: str, **extra: Any
) -> Any:
    context = {"notice": None, "refusal": None, **extra}
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_deliveries.html",
        status=code,
        found=found,
        chosen=status,
        recipient=recipient,
        statuses=STATUSES,
        status_names=STATUS_NAMES,
        **context,
    )


@router.get("/operator/deliveries")
async def deliveries(
    visit: VisitDep, status: str = "failed", recipient: str = "", done: str = ""
) -> Response:
    """The ledger, failed messages first by default, filtered by status and recipient."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    chosen = status if status in STATUSES else "failed"
    wanted = recipient.strip()[:254]
    found = await work.deliveries(
        visit.connections.notifier, token=entered.token, status=chosen, recipient=wanted
    )
    return _ledger_page(entered, found, chosen, wanted, notice=NOTICES.get(done))


@router.post("/operator/deliveries/{delivery_id}/retry")
async def retry(visit: VisitDep, delivery_id: int, form: FormDep) -> Response:
    """Send a failed message again; the ledger says so."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(delivery_id):
        raise HTTPException(404)
    notifier = visit.connections.notifier
    outcome = await work.retry(notifier, token=entered.token, delivery_id=delivery_id)
    if outcome.status == 404:
        raise HTTPException(404)
    if not outcome.done:
        found = await work.deliveries(notifier, token=entered.token, status="failed", recipient="")
        return _ledger_page(entered, found, "failed", "", refusal=NOT_FAILED, status_code=409)
    return pages.redirect(visit, "/operator/deliveries?done=retried")


def _dead_page(desk: Desk, dead: dict[str, Any], **extra: Any) -> Any:
    context = {"notice": None, "refusal": None, **extra}
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_dead_events.html",
        status=code,
        dead=dead,
        service_names=SERVICE_NAMES,
        **context,
    )


@router.get("/operator/dead-events")
async def dead_events(visit: VisitDep, done: str = "") -> Response:
    """Each service's parked events with the error that parked them."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    return _dead_page(entered, await dead_by_service(entered), notice=NOTICES.get(done))


@router.post("/operator/dead-events/{service}/{dead_event_id}/redrive")
async def redrive(visit: VisitDep, service: str, dead_event_id: int, form: FormDep) -> Response:
    """Send a parked event to its consumer again; a payload that is no event stays parked."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if service not in CONSUMERS or not storable_id(dead_event_id):
        raise HTTPException(404)
    client = visit.connections.apis[service]
    outcome = await work.redrive(client, token=entered.token, dead_event_id=dead_event_id)
    if not outcome.done:
        refusal = GONE if outcome.status == 404 else UNREADABLE
        dead = await dead_by_service(entered)
        return _dead_page(entered, dead, refusal=refusal, status_code=outcome.status)
    return pages.redirect(visit, "/operator/dead-events?done=redriven")
