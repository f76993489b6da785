"""Routes for registrations and rosters: register, look, cancel, see who is where."""

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from services.scheduler.deps import (
    Caller,
    Educator,
    Limit,
    Offset,
    RegistrationReader,
    RosterReader,
    SessionDep,
    errors,
)
from services.scheduler.registrations import cancel as cancellations
from services.scheduler.registrations import register as registering
from services.scheduler.registrations import roster as rosters
from services.scheduler.registrations import roster_sheet, seats_left
from services.scheduler.registrations.offering_roster import offering_roster
from services.scheduler.registrations.profiles import ensure_educator
from services.scheduler.registrations.schemas import (
    AvailabilityPublic,
    RegistrationCancelled,
    RegistrationCreate,
    RegistrationPublic,
    RegistrationsPublic,
    RosterPublic,
)
from shared.errors import Forbidden, InvalidInput
from shared.routes import TOKEN_OPTIONAL
from shared.validation import Id, line_text

router = APIRouter(tags=["registrations"])

MAX_AVAILABILITY_IDS = 100
OfferingIds = Annotated[
    list[Id],
    Query(
        alias="offering_id",
        min_length=1,
        max_length=MAX_AVAILABILITY_IDS,
        description=f"An offering's id, repeated for more (1 to {MAX_AVAILABILITY_IDS} ids).",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Any string up to 255 characters; a replay gets the first answer again.",
    ),
]


@router.post(
    "/registrations",
    status_code=201,
    summary="Register for an offering",
    description="201 with a seat (`confirmed`, in a cohort) or a place in line (`waitlisted`, "
    "with `waitlist_position`). A second registration for the same offering returns the "
    "existing one with 200. 409 when the offering is not published, cancelled or closed, or "
    "when its meetings overlap an offering where you hold a seat.",
    responses={
        200: {"description": "Already registered", "model": RegistrationPublic},
        **errors(401, 403, 404, 409, 422),
    },
)
def register(
    registration_in: RegistrationCreate,
    session: SessionDep,
    educator: Educator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Take a seat, or a place on the waitlist."""
    if idempotency_key is not None:
        _check_key(idempotency_key)
    if educator.educator_id is None:
        raise Forbidden("only educators register")
    attempt = partial(
        registering.register_educator,
        session=session,
        educator_id=educator.educator_id,
        offering_id=registration_in.offering_id,
        idempotency_key=idempotency_key,
    )
    try:
        answer = attempt()
    except registering.UnknownEducator:
        # Only a person's first registration pays for making their profile.
        ensure_educator(session, educator)
        answer = attempt()
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.get(
    "/registrations",
    summary="List registrations",
    description="An educator sees their own, an affiliate those for its offerings, the "
    "operator all; newest first.",
    responses=errors(401, 403, 422),
)
def list_registrations(
    session: SessionDep,
    principal: RegistrationReader,
    offering_id: Id | None = None,
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RegistrationsPublic:
    """A page of registrations."""
    return rosters.list_registrations(
        session=session,
        principal=principal,
        offering_id=offering_id,
        status=status,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/registrations/{registration_id}",
    summary="Read a registration",
    responses=errors(401, 403, 404),
)
def get_registration(
    registration_id: Id, session: SessionDep, principal: RegistrationReader
) -> RegistrationPublic:
    """One registration (owner, owning affiliate, operator)."""
    return rosters.get_registration(
        session=session, registration_id=registration_id, principal=principal
    )


@router.post(
    "/registrations/{registration_id}/cancel",
    summary="Cancel a registration",
    description="A freed seat goes to the head of the waitlist in the same transaction (a head "
    "whose meetings clash with another seat of theirs is skipped and keeps its place). "
    "Cancelling twice is harmless.",
    responses=errors(401, 403, 404),
)
def cancel_registration(
    registration_id: Id, session: SessionDep, principal: RegistrationReader
) -> RegistrationCancelled:
    """Cancel (owner, owning affiliate, operator)."""
    registration = cancellations.cancel_registration(
        session=session, registration_id=registration_id, principal=principal
    )
    return RegistrationCancelled(id=registration.id or 0)


@router.get(
    "/offerings/{offering_id}/roster",
    summary="Roster of an offering",
    description="Cohorts with facilitators and members, then the waitlist in order. "
    "`overflow` counts confirmed people beyond a reduced capacity; "
    "`needs_facilitator_reason` says why nobody leads a cohort. The owning affiliate's members "
    "and the operator see it all; a facilitator sees the cohorts they lead (no waitlist). "
    "`Accept: text/csv` gives it as CSV (UTF-8 with a byte-order mark, so Excel keeps the "
    "accents; a cell starting with `=`, `+`, `-` or `@` is quoted so it never runs).",
    response_model=RosterPublic,
    responses={
        200: {"content": {roster_sheet.CSV_TYPE: {"schema": {"type": "string"}}}},
        **errors(401, 403, 404),
    },
)
def roster(
    offering_id: Id,
    session: SessionDep,
    principal: RosterReader,
    accept: Annotated[str | None, Header()] = None,
) -> Response | RosterPublic:
    """Who leads, sits in and waits for each cohort (owning affiliate, operator, its leads)."""
    found = offering_roster(session=session, offering_id=offering_id, principal=principal)
    if not roster_sheet.wants_csv(accept):
        return found
    return Response(
        roster_sheet.roster_csv(found),
        media_type=f"{roster_sheet.CSV_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="roster-{offering_id}.csv"'},
    )


@router.get(
    "/availability",
    tags=["availability"],
    summary="Seats left in offerings",
    description="For each published offering asked for: the free seats of its open cohorts "
    "(`seats_left`, never negative) and how many people are on its waitlist "
    "(`waitlist_length`). Unknown, draft and cancelled offerings are left out of `items`. "
    "Anyone may ask, without a token; a token that is sent must be valid. More than "
    f"{MAX_AVAILABILITY_IDS} ids, or none, → 422 naming `offering_id`.",
    responses=errors(401, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
def availability(
    session: SessionDep, caller: Caller, offering_ids: OfferingIds
) -> AvailabilityPublic:
    """Seats left and waitlist length of up to 100 offerings, in one statement."""
    return AvailabilityPublic(items=seats_left.availability(session, offering_ids))


def _check_key(key: str) -> None:
    if not 0 < len(key) <= 255:
        raise InvalidInput(("Idempotency-Key",), "must be 1 to 255 characters")
    try:
        line_text(key)
    except ValueError as exc:
        raise InvalidInput(("Idempotency-Key",), str(exc)) from None
