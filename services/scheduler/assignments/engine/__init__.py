"""The planner engine: who may lead which cohort, the incremental pick, the batch plan.

Pure rules on plain dataclasses: no web, ORM, queue or database import, and nothing from outside
this package (a test walks the imports). The rest of the scheduler, the tests and the bench use
these names only.
"""

from services.scheduler.assignments.engine.availability import (
    Month,
    Window,
    fitting_window,
    local_month,
)
from services.scheduler.assignments.engine.explain import explain_facilitator
from services.scheduler.assignments.engine.hard_rules import Verdict, check_facilitator, clash
from services.scheduler.assignments.engine.objective import (
    Assignments,
    Score,
    fixed_loads,
    score_plan,
    weights_for,
)
from services.scheduler.assignments.engine.pick import (
    bookings_by_facilitator,
    hard_violations,
    pick_facilitators,
)
from services.scheduler.assignments.engine.planner import (
    PlanResult,
    plan_assignments,
    plan_greedily,
)
from services.scheduler.assignments.engine.problem import PlanProblem, build_problem
from services.scheduler.assignments.engine.rebalance import rebalance
from services.scheduler.assignments.engine.staffing import (
    AWAY_COST,
    DEFAULT_BUFFER,
    DROP_COST,
    Booking,
    CohortNeed,
    FacilitatorProfile,
    MeetingSlot,
    NoFit,
    Pick,
    is_away,
    need_bookings,
)

__all__ = [
    "AWAY_COST",
    "DEFAULT_BUFFER",
    "DROP_COST",
    "Assignments",
    "Booking",
    "CohortNeed",
    "FacilitatorProfile",
    "MeetingSlot",
    "Month",
    "NoFit",
    "Pick",
    "PlanProblem",
    "PlanResult",
    "Score",
    "Verdict",
    "Window",
    "bookings_by_facilitator",
    "build_problem",
    "check_facilitator",
    "clash",
    "explain_facilitator",
    "fitting_window",
    "fixed_loads",
    "hard_violations",
    "is_away",
    "local_month",
    "need_bookings",
    "pick_facilitators",
    "plan_assignments",
    "plan_greedily",
    "rebalance",
    "score_plan",
    "weights_for",
]
