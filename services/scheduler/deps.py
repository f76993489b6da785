"""The scheduler's own dependencies: its request session; callers by role come from shared.auth."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from services.scheduler.database import runtime
from shared.auth import AffiliateOrOperator as AffiliateOrOperator
from shared.auth import Educator as Educator
from shared.auth import FacilitatorOrOperator as FacilitatorOrOperator
from shared.auth import Operator as Operator
from shared.auth import OptionalPrincipal, Principal, Role, require_roles
from shared.auth import RegistrationReader as RegistrationReader
from shared.routes import Limit as Limit
from shared.routes import Offset as Offset
from shared.routes import errors as errors

SessionDep = Annotated[Session, Depends(runtime.request_session)]
# Rosters: the offering's staff, the operator, and the facilitators of its cohorts (theirs only).
RosterReader = Annotated[Principal, require_roles(Role.AFFILIATE, Role.OPERATOR, Role.FACILITATOR)]
# One facilitator's profile: themselves, the operator, their own affiliate's admins.
FacilitatorReader = Annotated[
    Principal, require_roles(Role.FACILITATOR, Role.OPERATOR, Role.AFFILIATE)
]
# Attendance: the cohorts' facilitators, the affiliate's admins and editors, the operator.
AttendanceTaker = Annotated[
    Principal, require_roles(Role.FACILITATOR, Role.OPERATOR, Role.AFFILIATE)
]
# Anyone, with or without a token (a token sent must be valid).
Caller = OptionalPrincipal
