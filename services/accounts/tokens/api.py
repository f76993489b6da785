"""Routes of access tokens: the exchange at POST /token, and the JWKS that verifies them."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.accounts import keys
from services.accounts.deps import SessionDep
from services.accounts.tokens import exchange
from services.accounts.tokens.schemas import JwksPublic, TokenPublic
from shared.auth import unauthorized

router = APIRouter(tags=["tokens"])
_bearer = HTTPBearer(auto_error=False)


@router.post(
    "/token",
    response_model=TokenPublic,
    summary="Exchange a session token (or the bootstrap operator token) for an access token",
    responses={401: {"description": "No credential, or one that opens nothing."}},
)
def post_token(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenPublic:
    """An EdDSA access token (≤ 15 minutes) for the holder of the bearer credential."""
    if credentials is None:
        raise unauthorized("missing bearer token")
    minted = exchange.exchange_credential(session=session, credential=credentials.credentials)
    if minted is None:
        raise unauthorized("unknown, expired or revoked credential")
    return TokenPublic(access_token=minted.token, expires_at=minted.expires_at)


@router.get(
    "/.well-known/jwks.json",
    response_model=JwksPublic,
    summary="The public keys access tokens are signed with",
)
def get_jwks(session: SessionDep) -> JwksPublic:
    """Every published key; verify tokens with the one named by their `kid`."""
    return JwksPublic.model_validate(keys.jwks(keys.current_keys(session=session)))
