"""The accounts service's own dependencies: its session, the caller an access token names, and
the ids its paths take."""

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.accounts import access, keys, roles
from services.accounts.database import runtime
from services.accounts.models import AccountSession, ApiKey, Person
from shared import access_tokens
from shared.auth import unauthorized
from shared.keyring import test_keys
from shared.validation import MAX_ROW_ID

SessionDep = Annotated[Session, Depends(runtime.request_session)]
_bearer = HTTPBearer(auto_error=False)


def _revoked(session: Session, sid: str) -> bool:
    """Tell whether the credential a token was minted from has been revoked since (here the
    service reads its own rows; other services learn it from `access.revoked`)."""
    kind, _, number = sid.partition(":")
    if kind not in ("session", "key") or not number.isdigit() or int(number) > MAX_ROW_ID:
        return False
    row: AccountSession | ApiKey | None = (
        session.get(AccountSession, int(number))
        if kind == "session"
        else session.get(ApiKey, int(number))
    )
    return row is None or row.revoked_at is not None


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
    if claims is None or _revoked(session, str(claims["sid"])):
        raise unauthorized("invalid, expired or revoked access token")
    return _with_current_roles(session, claims)


def _with_current_roles(session: Session, claims: dict[str, Any]) -> dict[str, Any]:
    """Here the person's roles are read as they are now, not as the token says: a removed
    member or a demoted admin acts no more in accounts, even before the token expires."""
    person_id = access.person_id(claims)
    person = session.get(Person, person_id) if person_id and person_id <= MAX_ROW_ID else None
    if person is None:
        return claims
    return claims | {"roles": roles.roles_of(session=session, person=person)}


AccessClaims = Annotated[dict[str, Any], Depends(access_claims)]


def no_bad_token(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Anonymous routes take no token, but one that is sent must verify (401 otherwise)."""
    if credentials is not None:
        access_claims(session, credentials)


AnonymousOrValid = Depends(no_bad_token)


def current_person(session: SessionDep, claims: AccessClaims) -> Person:
    """The person the token names (404 for the bootstrap operator or an affiliate key)."""
    person_id = access.person_id(claims)
    person = session.get(Person, person_id) if person_id and person_id <= MAX_ROW_ID else None
    if person is None:
        raise HTTPException(404, detail="this token names no person")
    return person


CurrentPerson = Annotated[Person, Depends(current_person)]
# Ids in paths: any positive id a row can have (accounts keeps no affiliates: any will do).
AffiliateIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _operator_claims(claims: AccessClaims) -> dict[str, Any]:
    access.require_operator(claims)
    return claims


# For routes only operators may use.
OperatorOnly = Depends(_operator_claims)
