"""Routes of people: who the caller is, changing oneself, and finding people."""

from typing import Any

from fastapi import APIRouter

from services.accounts import access
from services.accounts.deps import AccessClaims, CurrentPerson, SessionDep
from services.accounts.people import service
from services.accounts.people.schemas import (
    PeoplePublic,
    PersonPublic,
    PersonUpdate,
)
from shared.routes import Limit, Offset, errors
from shared.validation import Email

router = APIRouter(tags=["people"])
NO_PERSON: dict[int | str, dict[str, Any]] = {
    404: {"description": "The token names no person (the bootstrap operator, a key)."}
}


@router.get(
    "/me",
    response_model=PersonPublic,
    summary="The person the access token names",
    responses=errors(401) | NO_PERSON,
)
def get_me(session: SessionDep, person: CurrentPerson) -> PersonPublic:
    """The signed-in person, with their roles."""
    return service.describe(session=session, person=person)


@router.patch(
    "/me",
    response_model=PersonPublic,
    summary="Change one's own name, zone or language",
    responses=errors(401, 422) | NO_PERSON,
)
def patch_me(body: PersonUpdate, session: SessionDep, person: CurrentPerson) -> PersonPublic:
    """Only the fields given (and not null) change."""
    changes = body.model_dump(exclude_none=True)
    person = service.update_person(session=session, person=person, changes=changes)
    return service.describe(session=session, person=person)


@router.get(
    "/people",
    response_model=PeoplePublic,
    summary="Find people (operator)",
    responses=errors(401, 403, 422),
)
def get_people(
    session: SessionDep,
    claims: AccessClaims,
    email: Email | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PeoplePublic:
    """Everyone, oldest first, or only the person with `email`."""
    access.require_operator(claims)
    rows, total = service.find_people(session=session, email=email, limit=limit, offset=offset)
    return PeoplePublic(
        items=[service.describe(session=session, person=row) for row in rows], total=total
    )
