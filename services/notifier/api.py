"""The notifier's HTTP routes: the delivery ledger for operators, calendar feeds for recipients."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi import status as http
from sqlmodel import Session

from services.notifier import feeds
from services.notifier.database import runtime
from services.notifier.delivery import ledger
from services.notifier.models import DeliveriesPublic, DeliveryPublic
from services.notifier.rendering.content import MessageKind
from shared.auth import Operator, verify_access_token
from shared.routes import Limit, Offset, Problem, errors
from shared.validation import Id, Line

SessionDep = Annotated[Session, Depends(runtime.request_session)]
# The `Delivery.STATUSES` values, spelled out so OpenAPI lists them.
Status = Literal["queued", "sending", "sent", "failed"]
CALENDAR_TYPE = "text/calendar; charset=utf-8"
NO_FEED = "calendar feeds exist for educators and facilitators"

router = APIRouter(tags=["notifier"])


@router.get(
    "/deliveries",
    response_model=DeliveriesPublic,
    summary="Outgoing messages",
    responses=errors(401, 403, 422),
)
def get_deliveries(
    _operator: Operator,
    session: SessionDep,
    recipient: Annotated[Line | None, Query(max_length=320)] = None,
    kind: MessageKind | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeliveriesPublic:
    """The delivery ledger, newest first (operator only)."""
    return ledger.list_deliveries(
        session=session, recipient=recipient, kind=kind, status=status, limit=limit, offset=offset
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=DeliveryPublic,
    summary="Send a failed message again",
    responses=errors(401, 403, 404, 409, 422),
)
def post_delivery_retry(
    _operator: Operator, session: SessionDep, delivery_id: Id
) -> DeliveryPublic:
    """Queue a failed message again with a fresh set of attempts (operator only)."""
    return ledger.retry_delivery(session=session, delivery_id=delivery_id)


@router.get(
    "/calendars/{token}.ics",
    summary="A recipient's live calendar feed",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}},
        401: {"description": "The token in the path does not verify.", "model": Problem},
        403: {"description": NO_FEED, "model": Problem},
    },
)
def get_calendar(token: str, session: SessionDep) -> Response:
    """The educator's or facilitator's meetings as a subscribable calendar (METHOD:PUBLISH)."""
    principal = verify_access_token(token)
    if principal is None:
        raise HTTPException(http.HTTP_401_UNAUTHORIZED, detail="invalid calendar token")
    feed = feeds.calendar_feed(session=session, principal=principal)
    if feed is None:
        raise HTTPException(http.HTTP_403_FORBIDDEN, detail=NO_FEED)
    return Response(
        content=feed.encode("utf-8"),
        media_type=CALENDAR_TYPE,
        headers={"Cache-Control": "private, max-age=300"},
    )
