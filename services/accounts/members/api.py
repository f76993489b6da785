"""Routes of operators and affiliate members: who may run Cohort and each affiliate."""

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from services.accounts import access, roles
from services.accounts.deps import AccessClaims, AffiliateIdPath, RowIdPath, SessionDep
from services.accounts.members import onboarding
from services.accounts.members.schemas import (
    MemberCreate,
    MemberPublic,
    MembersPublic,
    OperatorCreate,
    OperatorCreated,
)
from services.accounts.models import Person
from services.accounts.people import service
from services.accounts.people.schemas import PersonCreate, PersonCreated
from shared.routes import Limit, Offset, errors

router = APIRouter(tags=["members"])
EXISTING: dict[int | str, dict[str, Any]] = {
    200: {"description": "The address already has a person.", "model": PersonCreated}
}


def _member(person: Person, member_role: str | None) -> MemberPublic:
    return MemberPublic.model_validate(
        {
            "person_id": person.id,
            "name": person.name,
            "email": person.email,
            "member_role": member_role,
            "status": service.status_of(person),
        }
    )


@router.post(
    "/operators",
    status_code=201,
    response_model=OperatorCreated,
    summary="Make someone an operator (operator); they are mailed an invitation",
    responses=errors(401, 403, 422),
)
def post_operator(
    body: OperatorCreate, session: SessionDep, claims: AccessClaims
) -> OperatorCreated:
    """The person (added when new) becomes an operator."""
    access.require_operator(claims)
    person = onboarding.add_operator(
        session=session, claims=claims, name=body.name, email=body.email
    )
    return OperatorCreated(
        id=person.id or 0, name=person.name, email=person.email, status=service.status_of(person)
    )


@router.post(
    "/affiliates/{affiliate_id}/members",
    status_code=201,
    response_model=MemberPublic,
    summary="Make someone a member of an affiliate (operator, the affiliate's admin)",
    responses=errors(401, 403, 422),
)
def post_member(
    affiliate_id: AffiliateIdPath, body: MemberCreate, session: SessionDep, claims: AccessClaims
) -> MemberPublic:
    """The person (added when new) becomes a member in `member_role` and is mailed an invitation
    (kind `invitation`); a member already is given the new role."""
    access.require_affiliate_admin(claims, affiliate_id)
    person = onboarding.add_member(
        session=session,
        claims=claims,
        affiliate_id=affiliate_id,
        name=body.name,
        email=body.email,
        member_role=body.member_role,
    )
    return _member(person, body.member_role)


@router.get(
    "/affiliates/{affiliate_id}/members",
    response_model=MembersPublic,
    summary="An affiliate's members (operator, the affiliate's admin)",
    responses=errors(401, 403, 422),
)
def get_members(
    affiliate_id: AffiliateIdPath,
    session: SessionDep,
    claims: AccessClaims,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MembersPublic:
    """Members, oldest membership first."""
    access.require_affiliate_admin(claims, affiliate_id)
    rows, total = roles.members_of(
        session=session, affiliate_id=affiliate_id, limit=limit, offset=offset
    )
    return MembersPublic(
        items=[_member(person, row.member_role) for row, person in rows], total=total
    )


@router.delete(
    "/affiliates/{affiliate_id}/members/{person_id}",
    status_code=204,
    summary="Take a membership away (operator, the affiliate's admin)",
    responses=errors(401, 403, 404, 422),
)
def delete_member(
    affiliate_id: AffiliateIdPath, person_id: RowIdPath, session: SessionDep, claims: AccessClaims
) -> Response:
    """The person is no longer a member; every token naming them is revoked."""
    access.require_affiliate_admin(claims, affiliate_id)
    if not onboarding.remove_member(
        session=session, claims=claims, affiliate_id=affiliate_id, person_id=person_id
    ):
        raise HTTPException(404, detail="no such member of this affiliate")
    return Response(status_code=204)


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
