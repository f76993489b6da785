"""Routes for facilitator assignment as a whole: the batch re-plan, and cohorts at a glance."""

from typing import Literal

from fastapi import APIRouter

from services.scheduler.assignments import plan as planning
from services.scheduler.assignments.cohort_list import list_cohorts
from services.scheduler.assignments.schemas import CohortsListed, PlanPublic, PlanRequest
from services.scheduler.deps import AffiliateOrOperator, Limit, Offset, Operator, SessionDep, errors
from shared.validation import Instant, RowId

router = APIRouter(tags=["assignments"])


@router.post(
    "/assignments/plan",
    summary="Re-plan facilitators for a window",
    description="Re-staffs every live cohort whose offering's first meeting starts in "
    "[`starts_after`, `starts_before`) with CP-SAT, keeping current facilitators where that "
    "costs nothing, and applies the difference (facilitator.unassigned / facilitator.assigned). "
    "Bookings outside the window stay fixed. 409 if bookings changed meanwhile.",
    responses=errors(401, 403, 409, 422),
)
def plan(plan_in: PlanRequest, session: SessionDep, operator: Operator) -> PlanPublic:
    """Re-plan and apply (operator only)."""
    return planning.plan_window(
        session=session,
        starts_after=plan_in.starts_after,
        starts_before=plan_in.starts_before,
        time_limit=plan_in.time_limit,
        principal=operator,
    )


@router.get(
    "/cohorts",
    summary="Cohorts at a glance",
    description="Cohorts soonest first meeting first, each with its leads, seats taken, the "
    "offering's waitlist and, for `needs_facilitator`, why nobody leads it. The operator sees "
    "all; an affiliate's members their affiliate's. `starts_after` / `starts_before` bound the "
    "first meeting.",
    responses=errors(401, 403, 422),
)
def cohorts(
    session: SessionDep,
    principal: AffiliateOrOperator,
    status: Literal["open", "needs_facilitator", "cancelled"] | None = None,
    affiliate_id: RowId | None = None,
    starts_after: Instant | None = None,
    starts_before: Instant | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CohortsListed:
    """A page of cohorts (operator, affiliate members)."""
    return list_cohorts(
        session=session,
        principal=principal,
        status=status,
        affiliate_id=affiliate_id,
        starts_after=starts_after,
        starts_before=starts_before,
        limit=limit,
        offset=offset,
    )
