"""Typed dependencies of the scheduler's routes: the session, callers by role, page parameters.

They are coroutines on purpose: none of them waits on I/O on the way in (checking a signed
token is pure computation; a session connects lazily), and FastAPI runs every plain `def`
dependency in the worker-thread pool, a round trip per dependency per request.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from services.scheduler.database import runtime
from shared.auth import Principal, Role, verify_token
from shared.routes import Limit as Limit
from shared.routes import Offset as Offset
from shared.routes import errors as errors

_bearer = HTTPBearer(auto_error=False)


async def _session() -> AsyncIterator[Session]:
    session = Session(runtime.engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        # Ending an open transaction talks to the database: do that off the event loop.
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"}
    )


async def _caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("missing bearer token")
    principal = verify_token(credentials.credentials)
    if principal is None:
        raise _unauthorized("invalid token")
    return principal


def _roles(*allowed: Role) -> Any:
    async def check(principal: Annotated[Principal, Depends(_caller)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not allowed for this role")
        return principal

    return Depends(check)


SessionDep = Annotated[Session, Depends(_session)]
Operator = Annotated[Principal, _roles(Role.OPERATOR)]
AffiliateOrOperator = Annotated[Principal, _roles(Role.AFFILIATE, Role.OPERATOR)]
Educator = Annotated[Principal, _roles(Role.EDUCATOR)]
RegistrationReader = Annotated[Principal, _roles(Role.EDUCATOR, Role.AFFILIATE, Role.OPERATOR)]
FacilitatorOrOperator = Annotated[Principal, _roles(Role.FACILITATOR, Role.OPERATOR)]
