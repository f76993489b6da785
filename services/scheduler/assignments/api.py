"""Routes for facilitator assignment as a whole: the batch re-plan."""

from fastapi import APIRouter

from services.scheduler.assignments import plan as planning
from services.scheduler.assignments.schemas import PlanPublic, PlanRequest
from services.scheduler.deps import Operator, SessionDep, errors

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
    return planning.plan_window(
        session=session,
        starts_after=plan_in.starts_after,
        starts_before=plan_in.starts_before,
        time_limit=plan_in.time_limit,
    )
