"""Routes for affiliates (operator only) and the programs they schedule."""

from fastapi import APIRouter, status

from services.registry import affiliates
from services.registry.deps import Caller, Limit, Offset, Operator, SessionDep, errors
from services.registry.models import (
    AffiliateCreate,
    AffiliatePublic,
    AffiliatesPublic,
    ProgramCreate,
    ProgramPublic,
    ProgramsPublic,
    ProgramUpdate,
)
from shared.routes import TOKEN_OPTIONAL, Problem
from shared.validation import Id

affiliates_router = APIRouter(prefix="/affiliates", tags=["affiliates"])
programs_router = APIRouter(prefix="/programs", tags=["programs"])


@affiliates_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register an affiliate",
    description="Its members and API keys are managed in the accounts service.",
    responses=errors(401, 403, 422),
)
def register_affiliate(
    affiliate_in: AffiliateCreate, session: SessionDep, _operator: Operator
) -> AffiliatePublic:
    """Register an affiliate."""
    return affiliates.register_affiliate(session=session, affiliate_in=affiliate_in)


@affiliates_router.get("", summary="List affiliates", responses=errors(401, 403))
def list_affiliates(
    session: SessionDep, _operator: Operator, limit: Limit = 50, offset: Offset = 0
) -> AffiliatesPublic:
    """List affiliates, oldest first."""
    return affiliates.list_affiliates(session=session, limit=limit, offset=offset)


@programs_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a program",
    responses={
        **errors(401, 403, 422),
        409: {"description": "A program has this code already.", "model": Problem},
    },
)
def add_program(
    program_in: ProgramCreate, session: SessionDep, _operator: Operator
) -> ProgramPublic:
    """Add a program."""
    return affiliates.add_program(session=session, program_in=program_in)


@programs_router.get(
    "",
    summary="List programs",
    description="Without an access token, only the programs `listed_publicly`.",
    responses=errors(401),
    openapi_extra=TOKEN_OPTIONAL,
)
def list_programs(
    session: SessionDep, caller: Caller, limit: Limit = 50, offset: Offset = 0
) -> ProgramsPublic:
    """List programs by code; anyone may (without a token, only those listed publicly)."""
    return affiliates.list_programs(
        session=session, signed_in=caller is not None, limit=limit, offset=offset
    )


@programs_router.patch(
    "/{program_id}",
    summary="Change a program",
    description="`listed_publicly: false` keeps the program's offerings out of the anonymous "
    "catalogue (GET /offerings, GET /offerings/{id} is 404 without a token, GET /programs "
    "leaves it out); anyone with an access token still sees them.",
    responses=errors(401, 403, 404, 422),
)
def change_program(
    program_id: Id, changes: ProgramUpdate, session: SessionDep, _operator: Operator
) -> ProgramPublic:
    """Change a program."""
    return affiliates.change_program(session=session, program_id=program_id, changes=changes)
