"""The accounts service's own dependencies: its session, and the caller an access token names."""

from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.accounts import keys
from services.accounts.database import runtime
from shared import access_tokens
from shared.auth import unauthorized
from shared.keyring import test_keys

SessionDep = Annotated[Session, Depends(runtime.request_session)]
_bearer = HTTPBearer(auto_error=False)


def access_claims(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> dict[str, Any]:
    """The claims of the caller's access token (401 without one, or for one that fails)."""
    if credentials is None:
        raise unauthorized("missing bearer token")
    jwks: dict[str, Any] = keys.jwks(keys.current_keys(session=session))
    jwks["keys"] = [*jwks["keys"], *test_keys()]
    claims = access_tokens.verify(credentials.credentials, jwks)
    if claims is None:
        raise unauthorized("invalid or expired access token")
    return claims


AccessClaims = Annotated[dict[str, Any], Depends(access_claims)]
