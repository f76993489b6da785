"""The notifier's HTTP routes: the delivery ledger for operators, calendar feeds for recipients."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi import status as http
from sqlmodel import Session

from services.notifier import feeds
from services.notifier.database import runtime
from services.notifier.delivery import ledger
from services.notifier.models import DeliveriesPublic, DeliveryPublic, FeedPublic
from services.notifier.rendering.content import MessageKind
from shared.auth import Operator, Principal, Role, require_roles
from shared.routes import Limit, Offset, Problem, errors
from shared.validation import Id, Line

SessionDep = Annotated[Session, Depends(runtime.request_session)]
# The `Delivery.STATUSES` values, spelled out so OpenAPI lists them.
Status = Literal["queued", "sending", "sent", "failed"]
CALENDAR_TYPE = "text/calendar; charset=utf-8"
# Calendar feeds exist for educators and facilitators only.
FeedHolder = Annotated[Principal, require_roles(Role.EDUCATOR, Role.FACILITATOR)]

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
def post_delivery_retry(operator: Operator, session: SessionDep, delivery_id: Id) -> DeliveryPublic:
    """Queue a failed message again with a fresh set of attempts (operator only)."""
    return ledger.retry_delivery(session=session, delivery_id=delivery_id, principal=operator)


@router.get(
    "/feeds/me",
    response_model=FeedPublic,
    summary="Where my calendar feed is",
    responses=errors(401, 403),
)
def get_my_feed(person: FeedHolder, session: SessionDep) -> FeedPublic:
    """The caller's calendar-feed URLs (educators and facilitators); made on first asking."""
    assert person.person_id is not None
    return feeds.get_feed(session=session, person_id=person.person_id)


@router.post(
    "/feeds/me/reset",
    response_model=FeedPublic,
    summary="A new calendar-feed URL",
    responses=errors(401, 403),
)
def post_my_feed_reset(person: FeedHolder, session: SessionDep) -> FeedPublic:
    """Give the caller a new feed secret; the old feed URL answers 404 from now on."""
    assert person.person_id is not None
    return feeds.reset_feed(session=session, person_id=person.person_id)


@router.get(
    "/calendars/me/registrations/{registration_id}.ics",
    summary="The calendar of one of my registrations",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}},
        **errors(401, 403, 422),
        404: {"description": "No booking of this registration is yours.", "model": Problem},
    },
)
def get_my_registration_calendar(
    person: FeedHolder, session: SessionDep, registration_id: Id
) -> Response:
    """The meetings one of the caller's registrations booked, as one .ics file to import
    (METHOD:PUBLISH, the invites' UIDs and SEQUENCEs, so it merges with them)."""
    assert person.person_id is not None
    calendar = feeds.registration_calendar(
        session=session, person_id=person.person_id, registration_id=registration_id
    )
    if calendar is None:
        raise HTTPException(http.HTTP_404_NOT_FOUND, detail="no such registration calendar")
    return _calendar_response(calendar, f"registration-{registration_id}.ics")


def _calendar_response(calendar: str, filename: str | None = None) -> Response:
    headers = {"Cache-Control": "private, max-age=300"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(content=calendar.encode("utf-8"), media_type=CALENDAR_TYPE, headers=headers)


@router.get(
    "/calendars/{feed_secret}.ics",
    summary="A person's live calendar feed",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}},
        404: {"description": "No live feed has this secret.", "model": Problem},
    },
)
def get_calendar(feed_secret: str, session: SessionDep) -> Response:
    """The educator's or facilitator's meetings as a subscribable calendar (METHOD:PUBLISH)."""
    person_id = feeds.feed_owner(session=session, secret=feed_secret)
    if person_id is None:
        raise HTTPException(http.HTTP_404_NOT_FOUND, detail="no such calendar feed")
    return _calendar_response(feeds.person_feed(session=session, person_id=person_id))
