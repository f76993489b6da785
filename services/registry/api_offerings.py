"""Routes for offerings: create, list, read, change, publish, cancel and the audit trail."""

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic_core import to_json

from services.registry import catalog, offerings
from services.registry.deps import (
    AffiliateCaller,
    Caller,
    Limit,
    Offset,
    OwnerOrOperator,
    SessionDep,
    errors,
)
from services.registry.listing import cursors, pages
from services.registry.models import AuditEntriesPublic, Format, Status
from services.registry.models_offering import (
    OFFERING_EXAMPLE,
    OfferingCancel,
    OfferingCreate,
    OfferingPublic,
    OfferingsPublic,
    OfferingStatusPublic,
    OfferingUpdate,
)
from shared.routes import TOKEN_OPTIONAL
from shared.validation import Id, Instant, Line, UsState

router = APIRouter(prefix="/offerings", tags=["offerings"])

_MEETINGS_PATCH = (
    "Send only the fields to change; `null` clears `description`, `venue`, `join_url` or "
    "`registration_closes_at`. `meetings` replaces the whole list: an item with `id` keeps that "
    "meeting (moved to the times given), an item without `id` is a new meeting, and a meeting "
    "whose id is left out is removed. A published offering's new or moved meetings must start "
    "in the future (422). On a published offering any real change emits `offering.updated` "
    "naming the changed fields. A cancelled offering cannot change (409)."
)
_INSTANT = "ISO 8601 instant in the years 2000 to 2100; without an offset it is read as UTC."


@router.post(
    "",
    status_code=201,
    summary="Create a draft offering",
    description="Times are local wall times in `timezone` (an IANA Region/City name). In person "
    "needs `venue`, virtual needs `join_url`, hybrid needs both (and neither may carry the "
    "other's field). Meetings may not overlap; `capacity` (seats per cohort) may not exceed the "
    "program's `max_participants`; registration closes no later than the first meeting.",
    responses=errors(401, 403, 422),
)
def create_offering(
    offering_in: Annotated[
        OfferingCreate,
        Body(
            openapi_examples={"in_person": {"summary": "Two mornings", "value": OFFERING_EXAMPLE}}
        ),
    ],
    session: SessionDep,
    affiliate: AffiliateCaller,
) -> OfferingPublic:
    """Create a draft offering for the calling affiliate."""
    return offerings.create_offering(session=session, actor=affiliate, offering_in=offering_in)


_CURSOR = (
    "The `next_cursor` of the previous page, to read the next one (keyset paging: pages stay "
    "right while offerings are added). A cursor belongs to the search that gave it: an altered "
    "one, or one sent with other filters, is 422. Not with `offset`."
)


@router.get(
    "",
    summary="List offerings by first meeting",
    description="Anyone sees published offerings, except that offerings of a program not "
    "`listed_publicly` are shown only to callers with an access token; an affiliate also sees "
    "its own drafts and cancelled offerings; the operator sees all. Ordered by first meeting "
    "start, then id. `join_url` is shown to the owning affiliate and the operator only (null "
    "for everyone else). Page with `cursor` (from `next_cursor`) or, for compatibility, `offset`.",
    response_model=OfferingsPublic,
    responses=errors(401, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
def list_offerings(
    session: SessionDep,
    caller: Caller,
    program: Annotated[Line | None, Query(max_length=64, description="Program code.")] = None,
    state: Annotated[
        UsState | None, Query(max_length=2, description="Affiliate's state, e.g. OH.")
    ] = None,
    affiliate_id: Id | None = None,
    format: Format | None = None,
    status: Status | None = None,
    starts_after: Annotated[Instant | None, Query(description=_INSTANT)] = None,
    starts_before: Annotated[Instant | None, Query(description=_INSTANT)] = None,
    q: Annotated[
        Line | None,
        Query(
            max_length=200,
            description="Words that must all appear in the title or description "
            "(any case), e.g. `bias classroom`.",
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: Annotated[str | None, Query(max_length=200, description=_CURSOR)] = None,
) -> Response:
    """List the offerings the caller may see."""
    filters = catalog.OfferingFilters(
        program=program,
        state=state,
        affiliate_id=affiliate_id,
        format=format,
        status=status,
        starts_after=starts_after,
        starts_before=starts_before,
        words=catalog.search_words(q),
    )
    if cursor is not None and offset:
        raise cursors.CursorRefused("send either cursor or offset, not both")
    asked = pages.PageAsked(limit=limit, offset=offset, cursor=cursor)
    page = pages.find_offerings(session=session, viewer=caller, filters=filters, asked=asked)
    # Serialised here, in one pass, rather than re-validated through the response model.
    return Response(to_json(page), media_type="application/json")


@router.get(
    "/{offering_id}",
    summary="Read an offering",
    description="A draft, even a cancelled one that was never published, is 404 to anyone but "
    "its affiliate and the operator. `join_url` is shown to them only.",
    responses=errors(401, 404),
    openapi_extra=TOKEN_OPTIONAL,
)
def read_offering(offering_id: Id, session: SessionDep, caller: Caller) -> OfferingPublic:
    """Read one offering with its meetings (a draft only by its owner or the operator)."""
    return catalog.read_offering(session=session, viewer=caller, offering_id=offering_id)


@router.patch(
    "/{offering_id}",
    summary="Change an offering",
    description=_MEETINGS_PATCH,
    responses=errors(401, 403, 404, 409, 422),
)
def change_offering(
    offering_id: Id, changes: OfferingUpdate, session: SessionDep, actor: OwnerOrOperator
) -> OfferingPublic:
    """Change an offering."""
    return offerings.change_offering(
        session=session, actor=actor, offering_id=offering_id, changes=changes
    )


@router.post(
    "/{offering_id}/publish",
    summary="Publish an offering",
    description="Opens it for registration and emits `offering.published`. Publishing a "
    "published offering changes nothing; a cancelled one cannot be published (409).",
    responses=errors(401, 403, 404, 409),
)
def publish_offering(
    offering_id: Id, session: SessionDep, actor: OwnerOrOperator
) -> OfferingStatusPublic:
    """Publish an offering."""
    return offerings.publish_offering(session=session, actor=actor, offering_id=offering_id)


@router.post(
    "/{offering_id}/cancel",
    summary="Cancel an offering",
    description="Emits `offering.cancelled` if it was published. Cancelling again changes nothing.",
    responses=errors(401, 403, 404, 422),
)
def cancel_offering(
    offering_id: Id,
    session: SessionDep,
    actor: OwnerOrOperator,
    cancel: OfferingCancel | None = None,
) -> OfferingStatusPublic:
    """Cancel an offering."""
    reason = cancel.reason if cancel else ""
    return offerings.cancel_offering(
        session=session, actor=actor, offering_id=offering_id, reason=reason
    )


@router.get(
    "/{offering_id}/audit",
    summary="Audit trail of an offering",
    description="Who changed what and when, oldest first; for the owner and the operator.",
    responses=errors(401, 403, 404),
)
def read_audit(
    offering_id: Id,
    session: SessionDep,
    actor: OwnerOrOperator,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AuditEntriesPublic:
    """Read an offering's audit trail."""
    return catalog.read_audit(
        session=session, viewer=actor, offering_id=offering_id, limit=limit, offset=offset
    )
