"""The registry's own dependencies: its session, and callers by role."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.registry.database import runtime
from shared.auth import OptionalPrincipal, Principal, Role, require_roles
from shared.routes import Limit as Limit
from shared.routes import Offset as Offset
from shared.routes import errors as errors

SessionDep = Annotated[Session, Depends(runtime.request_session)]
Caller = OptionalPrincipal
Operator = Annotated[Principal, require_roles(Role.OPERATOR)]
AffiliateCaller = Annotated[Principal, require_roles(Role.AFFILIATE)]
OwnerOrOperator = Annotated[Principal, require_roles(Role.AFFILIATE, Role.OPERATOR)]
