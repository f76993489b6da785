"""The registry's own dependencies: its session, and callers whose affiliate key is current."""

from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.registry.affiliates import affiliate_key_is_current
from services.registry.database import runtime
from shared.auth import OptionalPrincipal, Principal, Role, forbidden, unauthorized
from shared.routes import Limit as Limit
from shared.routes import Offset as Offset
from shared.routes import errors as errors

SessionDep = Annotated[Session, Depends(runtime.request_session)]
_bearer = HTTPBearer(auto_error=False)


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
            raise unauthorized("unknown or revoked affiliate key")
    return principal


Caller = Annotated[Principal | None, Depends(resolve_caller)]


async def _signed_in(caller: Caller) -> Principal:
    if caller is None:
        raise unauthorized("missing bearer token")
    return caller


def _only(*roles: Role) -> Any:
    async def check(caller: Annotated[Principal, Depends(_signed_in)]) -> Principal:
        if caller.role not in roles:
            raise forbidden()
        return caller

    return Depends(check)


# Registry roles go through `Caller`, so a revoked affiliate key is refused on every route.
Operator = Annotated[Principal, _only(Role.OPERATOR)]
AffiliateCaller = Annotated[Principal, _only(Role.AFFILIATE)]
OwnerOrOperator = Annotated[Principal, _only(Role.AFFILIATE, Role.OPERATOR)]
