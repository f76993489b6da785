"""Routes of erasure: a person erases themself, an operator erases anyone."""

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from services.accounts import access
from services.accounts.deps import AccessClaims, CurrentPerson, RowIdPath, SessionDep
from services.accounts.erasure import service
from services.accounts.models import Person
from shared.audit_log import Actor
from shared.erasure import ERASED_NAME
from shared.routes import errors

router = APIRouter(tags=["erasure"])
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Erased here; every other service follows within seconds."}
}


@router.post(
    "/me/erase",
    status_code=202,
    summary="Erase my account: my name and email everywhere",
    responses=ACCEPTED | errors(401),
)
def erase_me(session: SessionDep, person: CurrentPerson) -> Response:
    """Erase the signed-in person; their registrations stay as counts, nameless."""
    service.erase_person(session=session, person=person, by=Actor(person.id, ERASED_NAME))
    return Response(status_code=202)


@router.post(
    "/people/{person_id}/erase",
    status_code=202,
    summary="Erase a person (operator)",
    responses=ACCEPTED | errors(401, 403, 404, 422),
)
def erase_someone(person_id: RowIdPath, session: SessionDep, claims: AccessClaims) -> Response:
    """Erase a person's name and email everywhere, keeping the counts; again is harmless."""
    access.require_operator(claims)
    person = session.get(Person, person_id)
    if person is None:
        raise HTTPException(404, detail="no such person")
    service.erase_person(session=session, person=person, by=access.actor(claims))
    return Response(status_code=202)
