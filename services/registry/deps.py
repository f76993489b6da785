"""Typed dependencies of the registry's routes: the session, the caller and page parameters."""

from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.registry.models import runtime
from services.registry.service import affiliate_key_is_current
from shared.auth import OptionalPrincipal, Principal, Role
from shared.routes import Limit as Limit
from shared.routes import Offset as Offset
from shared.routes import errors as errors

SessionDep = Annotated[Session, Depends(runtime.session)]
_bearer = HTTPBearer(auto_error=False)


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"}
    )


def resolve_caller(
    principal: OptionalPrincipal,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
) -> Principal | None:
    """The caller, if a token was given; an affiliate key must belong to a current affiliate."""
    if principal is not None and principal.role is Role.AFFILIATE:
        api_key = credentials.credentials if credentials else ""
        if not affiliate_key_is_current(
            session=session, affiliate_id=principal.subject_id, api_key=api_key
        ):
            raise _unauthorized("unknown or revoked affiliate key")
    return principal


Caller = Annotated[Principal | None, Depends(resolve_caller)]


def _signed_in(caller: Caller) -> Principal:
    if caller is None:
        raise _unauthorized("missing bearer token")
    return caller


def _only(*roles: Role) -> Any:
    def check(caller: Annotated[Principal, Depends(_signed_in)]) -> Principal:
        if caller.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not allowed for this role")
        return caller

    return Depends(check)


Operator = Annotated[Principal, _only(Role.OPERATOR)]
AffiliateCaller = Annotated[Principal, _only(Role.AFFILIATE)]
OwnerOrOperator = Annotated[Principal, _only(Role.AFFILIATE, Role.OPERATOR)]
