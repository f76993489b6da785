"""The bare CP-SAT model of facilitator assignment: every pair a variable, one solve, no help.

Same variables, constraints and objective as the planner's model, but no pre-filtering beyond
what the constraints need, no clash sweep (all cohort pairs are compared), no hint, no symmetry
breaking and no staging: the combined cost is minimized in a single solve.
"""

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from ortools.sat.python import cp_model

from services.scheduler.assignments.engine import (
    AWAY_COST,
    CohortNeed,
    FacilitatorProfile,
    clash,
    fitting_window,
    fixed_loads,
    is_away,
    local_month,
    need_bookings,
    weights_for,
)


@dataclass(frozen=True)
class BareResult:
    """The bare model's best plan, its status, proven bound and timings."""

    assignments: dict[int, tuple[int, ...]]
    status: str
    objective: float
    bound: float
    wall_time: float
    time_to_best: float


class _Clock(cp_model.CpSolverSolutionCallback):
    """Remembers when the last improving solution arrived."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.last = 0.0

    def on_solution_callback(self) -> None:
        self.last = perf_counter() - self.started


def _possible(need: CohortNeed, facilitator: FacilitatorProfile) -> bool:
    """Certified and inside availability: the pair constraints every model states."""
    if need.program_code not in facilitator.certifications:
        return False
    zone, windows = facilitator.timezone, facilitator.availability
    return all(fitting_window(m.starts_at_utc, m.ends_at_utc, zone, windows) for m in need.meetings)


def _clashes(a: CohortNeed, b: CohortNeed, travel_buffer: timedelta) -> bool:
    pairs = itertools.product(need_bookings(a, 0), need_bookings(b, 0))
    return any(clash(x, y, travel_buffer) for x, y in pairs)


def solve_bare(
    needs: tuple[CohortNeed, ...],
    pool: tuple[FacilitatorProfile, ...],
    *,
    travel_buffer: timedelta,
    workers: int,
    time_limit: float,
    staffing_only: bool = False,
) -> BareResult:
    """Build and solve the bare model; stops at optimality or at `time_limit`.

    With `staffing_only` the objective is just the number of cohorts left unstaffed: the
    plainest model of the problem, with the same hard constraints.
    """
    started = perf_counter()
    model = cp_model.CpModel()
    x = {(n.cohort_id, f.id): model.new_bool_var("") for n in needs for f in pool}
    staffed = {n.cohort_id: model.new_bool_var("") for n in needs}
    for n in needs:
        chosen = sum(x[n.cohort_id, f.id] for f in pool)
        model.add(chosen == n.facilitators_required * staffed[n.cohort_id])
        for f in pool:
            if not _possible(n, f):
                model.add(x[n.cohort_id, f.id] == 0)
    for a, b in itertools.combinations(needs, 2):
        if _clashes(a, b, travel_buffer):
            for f in pool:
                model.add_at_most_one(x[a.cohort_id, f.id], x[b.cohort_id, f.id])
    squares = [_add_cap_and_square(model, x, needs, f) for f in pool]
    weights = weights_for(needs, pool, fixed_loads(needs, pool, ()), {})
    away = [x[n.cohort_id, f.id] for n in needs for f in pool if is_away(n, f)]
    unstaffed = sum(1 - s for s in staffed.values())
    if staffing_only:
        model.minimize(unstaffed)
    else:
        model.minimize(
            weights.unassigned * unstaffed + weights.fairness * sum(squares) + AWAY_COST * sum(away)
        )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit
    clock = _Clock(started)
    status = solver.solve(model, clock)
    plan = {
        n.cohort_id: tuple(f.id for f in pool if solver.boolean_value(x[n.cohort_id, f.id]))
        for n in needs
        if solver.boolean_value(staffed[n.cohort_id])
    }
    return BareResult(
        assignments=plan,
        status=solver.status_name(status),
        objective=solver.objective_value,
        bound=solver.best_objective_bound,
        wall_time=perf_counter() - started,
        time_to_best=clock.last,
    )


def _add_cap_and_square(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    needs: tuple[CohortNeed, ...],
    f: FacilitatorProfile,
) -> cp_model.IntVar:
    """Monthly caps of one facilitator; returns a variable bounding their squared load."""
    months: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n in needs:
        counts = Counter(local_month(m.starts_at_utc, f.timezone) for m in n.meetings)
        for month, count in counts.items():
            months.setdefault(month, []).append((n.cohort_id, count))
    for terms in months.values():
        model.add(sum(c * x[cohort, f.id] for cohort, c in terms) <= f.max_sessions_per_month)
    top = min(sum(len(n.meetings) for n in needs), f.max_sessions_per_month * len(months))
    load = model.new_int_var(0, top, "")
    model.add(load == sum(len(n.meetings) * x[n.cohort_id, f.id] for n in needs))
    square = model.new_int_var(0, top * top, "")
    for k in range(top):
        model.add(square >= (2 * k + 1) * load - k * (k + 1))
    return square
