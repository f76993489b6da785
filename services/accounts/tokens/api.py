"""Routes of access tokens: the exchange at POST /token, and the JWKS that verifies them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.accounts import keys
from services.accounts.deps import SessionDep
from services.accounts.tokens import exchange, sessions
from services.accounts.tokens.schemas import JwksPublic, TokenPublic
from shared.auth import unauthorized

router = APIRouter(tags=["tokens"])
_bearer = HTTPBearer(auto_error=False)
JWKS_MAX_AGE = 300


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
def get_jwks(session: SessionDep, response: Response) -> JwksPublic:
    """Every published key; verify tokens with the one named by their `kid` (fetch again when a
    token names a kid not seen yet: a new key is published before it signs)."""
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    return JwksPublic.model_validate(keys.jwks(keys.current_keys(session=session)))


@router.post(
    "/sign-out",
    status_code=204,
    summary="End the session whose token is given",
    responses={401: {"description": "No session token, or one that opens nothing."}},
)
def post_sign_out(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """Revoke the session: it buys no more access tokens, and those already minted from it are
    refused by every service within seconds (`access.revoked`)."""
    if credentials is None or not sessions.close_session(
        session=session, token=credentials.credentials
    ):
        raise unauthorized("unknown, expired or revoked session token")
    return Response(status_code=204)
