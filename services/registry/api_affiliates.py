"""Routes for affiliates (operator only) and the programs they schedule; a program change
reaches every published offering of the program."""

from typing import Any

from fastapi import APIRouter, status
from sqlmodel import Session, col, select

from services.registry import affiliates
from services.registry.catalog import describe_offering, meeting_contracts, offering_contract
from services.registry.database import runtime
from services.registry.deps import Caller, Limit, Offset, Operator, SessionDep, errors
from services.registry.models import (
    Affiliate,
    AffiliateCreate,
    AffiliatePublic,
    AffiliatesPublic,
    AffiliateUpdate,
    Program,
    ProgramCreate,
    ProgramPublic,
    ProgramsPublic,
    ProgramUpdate,
)
from services.registry.models_offering import Offering
from services.registry.offerings import audit, touch
from shared.auth import Principal
from shared.errors import NotFound
from shared.events import OfferingUpdated
from shared.routes import TOKEN_OPTIONAL, Problem
from shared.validation import Id, storable_id

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
    affiliate_in: AffiliateCreate, session: SessionDep, operator: Operator
) -> AffiliatePublic:
    """Register an affiliate."""
    return affiliates.register_affiliate(session=session, affiliate_in=affiliate_in, actor=operator)


@affiliates_router.patch(
    "/{affiliate_id}",
    summary="Change an affiliate",
    description="Operator only. Any of `name` and `contact_email` (null clears the contact; at "
    "least one field). Each published offering of the affiliate gets its next version, an "
    "audit entry naming the operator and an `offering.updated` (`affiliate.name`, "
    "`affiliate.contact_email`), so the scheduler's copy of each offering follows.",
    responses=errors(401, 403, 404, 422),
)
def change_affiliate(
    affiliate_id: Id, changes: AffiliateUpdate, session: SessionDep, operator: Operator
) -> AffiliatePublic:
    """Change an affiliate."""
    return change_affiliate_everywhere(
        session=session, affiliate_id=affiliate_id, changes=changes, actor=operator
    )


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
    program_in: ProgramCreate, session: SessionDep, operator: Operator
) -> ProgramPublic:
    """Add a program."""
    return affiliates.add_program(session=session, program_in=program_in, actor=operator)


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
    description="Any of `listed_publicly`, `title`, `description`, `pd_hours`, "
    "`completion_percent`, `sensitive` (at least one; null leaves a field as it is). "
    "`listed_publicly: false` keeps the program's offerings out of the anonymous "
    "catalogue (GET /offerings, GET /offerings/{id} is 404 without a token, GET /programs "
    "leaves it out); anyone with an access token still sees them. A change of the title, "
    "description, hours, rule or discretion reaches every published offering of the program: "
    "each gets its next version and an `offering.updated` (and an audit entry naming the "
    "operator); a change of discretion sends the booked people an update under the title "
    "they should now see. Credits already earned keep their hours; cohorts not yet final "
    "follow the new rule.",
    responses=errors(401, 403, 404, 422),
)
def change_program(
    program_id: Id, changes: ProgramUpdate, session: SessionDep, operator: Operator
) -> ProgramPublic:
    """Change a program."""
    return change_program_everywhere(
        session=session, program_id=program_id, changes=changes, actor=operator
    )


# What an offering's state carries of its program (the listing only decides who sees it).
CARRIED = ("title", "description", "pd_hours", "completion_percent", "sensitive")


def _published(session: Session, condition: Any) -> list[Offering]:
    # FOR UPDATE, in id order: no offering change runs between the program change and the
    # announcement, and two program changes lock the same rows in the same order.
    query = (
        select(Offering)
        .where(condition, Offering.status == "published")
        .order_by(col(Offering.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.exec(query).all())


def _apply(session: Session, row: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """Set the wanted fields on the row; what changed, from what to what."""
    diff = {
        name: {"from": getattr(row, name), "to": value}
        for name, value in wanted.items()
        if getattr(row, name) != value
    }
    for name, value in wanted.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return diff


def _announce(
    session: Session, offering: Offering, actor: Principal, what: str, diff: dict[str, Any]
) -> None:
    before = describe_offering(session, offering)
    touch(offering)
    session.add(offering)
    # The audit keeps actions in 16 characters.
    audit(session, offering, actor, f"{what} change", diff)
    after = before.model_copy(
        update={"updated_at": offering.updated_at, "version": offering.version}
    )
    event = OfferingUpdated(
        offering=offering_contract(session, after),
        changed=[f"{what}.{name}" for name in diff],
        previous_meetings=meeting_contracts(before),
    )
    runtime.outbox.record(session, event)


def change_program_everywhere(
    *, session: Session, program_id: int, changes: ProgramUpdate, actor: Principal
) -> ProgramPublic:
    """Change a program (404 if there is none); its published offerings announce the change."""
    program = session.get(Program, program_id) if storable_id(program_id) else None
    if program is None:
        raise NotFound("no such program")
    diff = _apply(session, program, changes.model_dump(exclude_none=True))
    if diff:
        runtime.audit_action(session, actor, "program.change", f"program {program_id}", diff)
    carried = {name: change for name, change in diff.items() if name in CARRIED}
    if carried:
        for offering in _published(session, Offering.program_id == program_id):
            _announce(session, offering, actor, "program", carried)
    session.commit()
    return ProgramPublic.model_validate(program)


def change_affiliate_everywhere(
    *, session: Session, affiliate_id: int, changes: AffiliateUpdate, actor: Principal
) -> AffiliatePublic:
    """Change an affiliate's name or contact (404 if there is none); its published offerings
    announce the change (the name is shown, the contact is where replies go)."""
    affiliate = session.get(Affiliate, affiliate_id) if storable_id(affiliate_id) else None
    if affiliate is None:
        raise NotFound("no such affiliate")
    diff = _apply(session, affiliate, changes.model_dump(include=changes.model_fields_set))
    if diff:
        subject = f"affiliate {affiliate_id}"
        runtime.audit_action(session, actor, "affiliate.change", subject, diff)
        for offering in _published(session, Offering.affiliate_id == affiliate_id):
            _announce(session, offering, actor, "affiliate", diff)
    session.commit()
    return AffiliatePublic.model_validate(affiliate)
