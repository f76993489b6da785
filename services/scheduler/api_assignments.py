"""Routes for facilitator assignment as a whole: the batch re-plan."""

from fastapi import APIRouter

from services.scheduler import service_plan
from services.scheduler.deps import Operator, SessionDep, errors
from services.scheduler.schemas import PlanPublic, PlanRequest

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
def plan(plan_in: PlanRequest, session: SessionDep, _operator: Operator) -> PlanPublic:
    """Re-plan and apply (operator only)."""
    return service_plan.plan_window(
        session,
        starts_after=plan_in.starts_after,
        starts_before=plan_in.starts_before,
        time_limit=plan_in.time_limit,
    )
