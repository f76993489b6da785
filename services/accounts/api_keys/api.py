"""Routes of API keys: make one (shown once), list them, revoke one."""

from fastapi import APIRouter, HTTPException, Response

from services.accounts import access
from services.accounts.api_keys import service
from services.accounts.api_keys.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPublic,
)
from services.accounts.deps import AccessClaims, RowIdPath, SessionDep
from services.accounts.models import ApiKey
from shared.auth import forbidden
from shared.routes import Limit, Offset, errors

router = APIRouter(prefix="/api-keys", tags=["api-keys"])


def _public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(key, from_attributes=True)


def _check_may_create(claims: access.Claims, body: ApiKeyCreate) -> None:
    """A personal key for a person or the bootstrap operator; an affiliate key for the operator
    or that affiliate's admins."""
    if body.affiliate_id is not None:
        access.require_affiliate_admin(claims, body.affiliate_id)
    elif access.person_id(claims) is None and not access.is_bootstrap(claims):
        raise forbidden()


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Make an API key (shown once)",
    responses=errors(401, 403, 422),
)
def post_api_key(body: ApiKeyCreate, session: SessionDep, claims: AccessClaims) -> ApiKeyCreated:
    """A personal key acts as its maker; an affiliate key as a member of `member_role`."""
    _check_may_create(claims, body)
    row, secret = service.create_key(
        session=session,
        claims=claims,
        name=body.name,
        expires_in_days=body.expires_in_days,
        affiliate_id=body.affiliate_id,
        member_role=body.member_role,
    )
    return ApiKeyCreated.model_validate(_public(row).model_dump() | {"key": secret})


@router.get(
    "",
    response_model=ApiKeysPublic,
    summary="The unrevoked API keys the caller may see",
    responses=errors(401, 422),
)
def get_api_keys(
    session: SessionDep, claims: AccessClaims, limit: Limit = 50, offset: Offset = 0
) -> ApiKeysPublic:
    """The caller's own keys and their affiliates' keys (every key for the operator)."""
    rows, total = service.visible_keys(session=session, claims=claims, limit=limit, offset=offset)
    return ApiKeysPublic(items=[_public(row) for row in rows], total=total)


@router.delete(
    "/{key_id}",
    status_code=204,
    summary="Revoke an API key",
    responses=errors(401, 404, 422),
)
def delete_api_key(key_id: RowIdPath, session: SessionDep, claims: AccessClaims) -> Response:
    """The key buys no more access tokens, and those minted from it are revoked everywhere."""
    row = service.find_visible(session=session, claims=claims, key_id=key_id)
    if row is None:
        raise HTTPException(404, detail="no such API key")
    service.revoke_key(session=session, claims=claims, key=row)
    return Response(status_code=204)
