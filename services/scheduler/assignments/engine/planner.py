"""Batch re-plan of facilitator assignments: greedy first, then CP-SAT, never worse."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from services.scheduler.assignments.engine.cpsat import solve_plan
from services.scheduler.assignments.engine.objective import Assignments, score_plan
from services.scheduler.assignments.engine.problem import (
    PlanProblem,
    build_problem,
    staff_greedily,
    unassigned_reasons,
)
from services.scheduler.assignments.engine.rebalance import rebalance
from services.scheduler.assignments.engine.staffing import (
    DEFAULT_BUFFER,
    Booking,
    CohortNeed,
    FacilitatorProfile,
)

# Seconds kept back from the solver for filling gaps, scoring and explaining the result.
FINISH_RESERVE = 0.2
# Share of the time limit the local search may take before the solver starts.
REBALANCE_SHARE = 0.2


@dataclass(frozen=True)
class PlanResult:
    """A batch plan; `objective` is its cost from `objective.score_plan` (lower is better).

    `status`: OPTIMAL (proved), FEASIBLE (solver stopped at the time limit) or GREEDY (the
    incremental pick, improved by local search, when the solver gave nothing better).
    `bound` is a proven lower bound on the cost when the solver gave one.
    """

    assignments: dict[int, tuple[int, ...]]
    unassigned: dict[int, str]
    objective: float
    status: str
    wall_time: float
    bound: float | None = None


def plan_assignments(
    needs: Sequence[CohortNeed],
    pool: Sequence[FacilitatorProfile],
    fixed: Sequence[Booking] = (),
    *,
    travel_buffer: timedelta = DEFAULT_BUFFER,
    time_limit: float = 10.0,
    workers: int = 2,
    keep: Mapping[int, tuple[int, ...]] | None = None,
) -> PlanResult:
    """Batch re-plan with CP-SAT; never worse than the greedy pick.

    Bookings in `fixed` that belong to cohorts in `needs` are ignored: the plan replaces them.
    """
    started = perf_counter()
    problem = build_problem(needs, pool, fixed, keep or {}, travel_buffer)
    greedy = rebalance(problem, staff_greedily(problem), seconds=REBALANCE_SHARE * time_limit)
    remaining = time_limit - FINISH_RESERVE - (perf_counter() - started)
    solved = solve_plan(problem, greedy, time_limit=remaining, workers=workers)
    if solved is None:
        return _result(problem, greedy, "GREEDY", started)
    # A cohort the solver left out may still fit next to its plan (time limit hit).
    candidate = staff_greedily(problem, solved.plan)
    if _cost(problem, candidate) > _cost(problem, greedy):
        return _result(problem, greedy, "GREEDY", started, solved.bound)
    status = "OPTIMAL" if solved.optimal else "FEASIBLE"
    return _result(problem, candidate, status, started, solved.bound)


def plan_greedily(
    needs: Sequence[CohortNeed],
    pool: Sequence[FacilitatorProfile],
    fixed: Sequence[Booking] = (),
    *,
    travel_buffer: timedelta = DEFAULT_BUFFER,
    keep: Mapping[int, tuple[int, ...]] | None = None,
) -> PlanResult:
    """The sequential incremental pick over all cohorts, most constrained first."""
    started = perf_counter()
    problem = build_problem(needs, pool, fixed, keep or {}, travel_buffer)
    return _result(problem, staff_greedily(problem), "GREEDY", started)


def _cost(problem: PlanProblem, assignments: Assignments) -> int:
    return score_plan(problem.needs, problem.pool, problem.fixed, assignments, problem.keep).total


def _result(
    problem: PlanProblem,
    assignments: Assignments,
    status: str,
    started: float,
    bound: float | None = None,
) -> PlanResult:
    return PlanResult(
        assignments={c: tuple(sorted(ids)) for c, ids in sorted(assignments.items())},
        unassigned=unassigned_reasons(problem, assignments),
        objective=float(_cost(problem, assignments)),
        status=status,
        wall_time=perf_counter() - started,
        bound=bound,
    )
