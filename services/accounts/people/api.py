"""Routes of people: who the caller is, changing oneself, and adding and finding people."""

from typing import Any

from fastapi import APIRouter, Response

from services.accounts import access
from services.accounts.deps import AccessClaims, CurrentPerson, SessionDep
from services.accounts.people import onboarding, service
from services.accounts.people.schemas import (
    PeoplePublic,
    PersonCreate,
    PersonCreated,
    PersonPublic,
    PersonUpdate,
)
from shared.routes import Limit, Offset, errors
from shared.validation import Email

router = APIRouter(tags=["people"])
NO_PERSON: dict[int | str, dict[str, Any]] = {
    404: {"description": "The token names no person (the bootstrap operator, a key)."}
}
EXISTING: dict[int | str, dict[str, Any]] = {
    200: {"description": "The address already has a person.", "model": PersonCreated}
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


@router.post(
    "/people",
    status_code=201,
    response_model=PersonCreated,
    summary="Add an educator or a facilitator (operator, affiliate admin or editor)",
    responses=EXISTING | errors(401, 403, 422),
)
def post_person(
    body: PersonCreate, session: SessionDep, claims: AccessClaims, response: Response
) -> PersonCreated:
    """201 with a new (unproven) person, 200 with the one the address already has; a facilitator
    is mailed an invitation, an educator nothing."""
    access.require_person_creator(claims)
    person, created = onboarding.add_person(session=session, claims=claims, body=body)
    response.status_code = 201 if created else 200
    return PersonCreated(
        id=person.id or 0, name=person.name, email=person.email, status=service.status_of(person)
    )
