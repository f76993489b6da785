"""Routes of people: who the caller is."""

from fastapi import APIRouter, HTTPException

from services.accounts.deps import AccessClaims, SessionDep
from services.accounts.models import Person
from services.accounts.people import service
from services.accounts.people.schemas import PersonPublic

router = APIRouter(tags=["people"])


@router.get(
    "/me",
    response_model=PersonPublic,
    summary="The person the access token names",
    responses={
        401: {"description": "No access token, or one that fails."},
        404: {"description": "The token names no person (the bootstrap operator)."},
    },
)
def get_me(session: SessionDep, claims: AccessClaims) -> PersonPublic:
    """The signed-in person, with their roles."""
    subject = str(claims["sub"])
    person = session.get(Person, int(subject)) if subject.isdigit() else None
    if person is None:
        raise HTTPException(404, detail="this token names no person")
    return service.describe(person)
