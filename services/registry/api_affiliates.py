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
)
from shared.routes import TOKEN_OPTIONAL, Problem

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
    "", summary="List programs", responses=errors(401), openapi_extra=TOKEN_OPTIONAL
)
def list_programs(
    session: SessionDep, _caller: Caller, limit: Limit = 50, offset: Offset = 0
) -> ProgramsPublic:
    """List programs by code; anyone may."""
    return affiliates.list_programs(session=session, limit=limit, offset=offset)
