"""The CP-SAT model of a batch plan: one bool per (cohort, eligible facilitator)."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from time import perf_counter

from ortools.sat.python import cp_model

from services.scheduler.assignments.engine.availability import Month, local_month
from services.scheduler.assignments.engine.objective import Assignments
from services.scheduler.assignments.engine.problem import PlanProblem, clashing_pairs
from services.scheduler.assignments.engine.staffing import (
    AWAY_COST,
    DROP_COST,
    CohortNeed,
    FacilitatorProfile,
    is_away,
)

Pair = tuple[int, int]
# Share of the time limit the first (staffing + fairness) solve may use; the rest goes on.
FIRST_SHARE = 0.6
SAME_LOADS_SHARE = 0.15
MIN_SOLVE = 0.05


@dataclass
class _Model:
    """The model under construction and the variables the plan is read from."""

    problem: PlanProblem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choose: dict[Pair, cp_model.IntVar] = field(default_factory=dict)
    staffed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    load: dict[int, cp_model.IntVar] = field(default_factory=dict)
    most: dict[int, int] = field(default_factory=dict)
    squared: dict[int, cp_model.IntVar] = field(default_factory=dict)
    twins: list[list[int]] = field(default_factory=list)
    main: cp_model.LinearExprT = 0
    preference: cp_model.LinearExprT = 0


@dataclass(frozen=True)
class Solved:
    """A CP-SAT plan, whether it is proved optimal, and a proven lower bound on its cost."""

    plan: dict[int, tuple[int, ...]]
    optimal: bool
    bound: float


def solve_plan(
    problem: PlanProblem, hint: Assignments, *, time_limit: float, workers: int
) -> Solved | None:
    """Solve the plan with CP-SAT seeded by `hint`; None if no solution came within the limit.

    Lexicographic in two solves: staffing and fairness first, then the soft preferences with
    the first result held as a bound. Both proved optimal = optimal for the combined cost.
    """
    deadline = perf_counter() + time_limit
    built = _build(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    first = _stage(built, solver, built.main, hint, FIRST_SHARE * time_limit)
    if first is None:
        return None
    plan, fair_optimal = first
    fair_bound = solver.best_objective_bound
    built.model.add(built.main <= round(solver.objective_value))
    loads = {load.index: solver.value(load) for load in built.load.values()}
    # Same loads as the fair plan first: a quick, strong start for the preference search.
    same_loads = _prepared(built, built.preference, plan).clone()
    for index, value in loads.items():
        same_loads.add(same_loads.get_int_var_from_proto_index(index) == value)
    polished = _solved(built, solver, same_loads, SAME_LOADS_SHARE * time_limit)
    plan = polished[0] if polished else plan
    second = _stage(built, solver, built.preference, plan, deadline - perf_counter())
    if second is None or not fair_optimal:
        plan = second[0] if second else plan
        return Solved(plan, optimal=False, bound=fair_bound)
    return Solved(second[0], second[1], fair_bound + solver.best_objective_bound)


def _stage(
    built: _Model,
    solver: cp_model.CpSolver,
    objective: cp_model.LinearExprT,
    hint: Assignments,
    time_limit: float,
) -> tuple[dict[int, tuple[int, ...]], bool] | None:
    """Minimize `objective` from `hint`; the plan and whether it is proved optimal."""
    return _solved(built, solver, _prepared(built, objective, hint), time_limit)


def _prepared(
    built: _Model, objective: cp_model.LinearExprT, hint: Assignments
) -> cp_model.CpModel:
    built.model.clear_hints()
    _set_hint(built, hint)
    built.model.minimize(objective)
    return built.model


def _solved(
    built: _Model, solver: cp_model.CpSolver, model: cp_model.CpModel, time_limit: float
) -> tuple[dict[int, tuple[int, ...]], bool] | None:
    """Solve `model` (the built model or a clone: same variable indices) and read the plan."""
    solver.parameters.max_time_in_seconds = max(MIN_SOLVE, time_limit)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _read_plan(built, solver), status == cp_model.OPTIMAL


def _build(problem: PlanProblem) -> _Model:
    built = _Model(problem)
    _add_choices(built)
    _add_clashes(built)
    _add_caps(built)
    _add_fairness(built)
    _add_twin_order(built)
    _set_objective(built)
    return built


def _read_plan(built: _Model, solver: cp_model.CpSolver) -> dict[int, tuple[int, ...]]:
    eligible = built.problem.eligible
    return {
        cohort: tuple(f for f in eligible[cohort] if solver.boolean_value(built.choose[cohort, f]))
        for cohort, staffed in built.staffed.items()
        if solver.boolean_value(staffed)
    }


def _add_choices(built: _Model) -> None:
    model = built.model
    for need in built.problem.staffable:
        cohort = need.cohort_id
        staffed = model.new_bool_var(f"staffed_{cohort}")
        built.staffed[cohort] = staffed
        picks = []
        for facilitator_id in built.problem.eligible[cohort]:
            var = model.new_bool_var(f"x_{cohort}_{facilitator_id}")
            built.choose[cohort, facilitator_id] = var
            picks.append(var)
        model.add(sum(picks) == need.facilitators_required * staffed)


def _add_clashes(built: _Model) -> None:
    problem = built.problem
    for first, second in sorted(clashing_pairs(problem.staffable, problem.travel_buffer)):
        shared = set(problem.eligible[first]) & set(problem.eligible[second])
        for facilitator_id in sorted(shared):
            built.model.add_at_most_one(
                built.choose[first, facilitator_id], built.choose[second, facilitator_id]
            )


def _cohorts_of(built: _Model) -> dict[int, list[int]]:
    cohorts: dict[int, list[int]] = defaultdict(list)
    for cohort, facilitator_id in built.choose:
        cohorts[facilitator_id].append(cohort)
    return cohorts


def _months(need: CohortNeed, facilitator: FacilitatorProfile) -> Counter[Month]:
    return Counter(local_month(m.starts_at_utc, facilitator.timezone) for m in need.meetings)


def _add_caps(built: _Model) -> None:
    problem = built.problem
    by_id = {f.id: f for f in problem.pool}
    needs = {n.cohort_id: n for n in problem.needs}
    for facilitator_id, cohorts in sorted(_cohorts_of(built).items()):
        facilitator = by_id[facilitator_id]
        held = Counter(
            local_month(b.starts_at_utc, facilitator.timezone)
            for b in problem.fixed
            if b.facilitator_id == facilitator_id
        )
        terms: dict[Month, list[tuple[int, int]]] = defaultdict(list)
        for cohort in cohorts:
            for month, count in _months(needs[cohort], facilitator).items():
                terms[month].append((cohort, count))
        most = 0
        for month, counts in sorted(terms.items()):
            room = facilitator.max_sessions_per_month - held[month]
            wanted = sum(c for _, c in counts)
            most += min(wanted, room)
            if wanted > room:
                built.model.add(
                    sum(c * built.choose[cohort, facilitator_id] for cohort, c in counts) <= room
                )
        built.most[facilitator_id] = most


def _add_fairness(built: _Model) -> None:
    problem, model = built.problem, built.model
    sizes = {n.cohort_id: len(n.meetings) for n in problem.needs}
    for facilitator_id, cohorts in sorted(_cohorts_of(built).items()):
        base = problem.loads[facilitator_id]
        top = base + built.most[facilitator_id]
        load = model.new_int_var(base, top, f"load_{facilitator_id}")
        model.add(load == base + sum(sizes[c] * built.choose[c, facilitator_id] for c in cohorts))
        squared = model.new_int_var(base * base, top * top, f"sq_{facilitator_id}")
        # Tangents of the convex square at every integer load: exact at integer points.
        for k in range(base, top):
            model.add(squared >= (2 * k + 1) * load - k * (k + 1))
        built.load[facilitator_id] = load
        built.squared[facilitator_id] = squared


def _add_twin_order(built: _Model) -> None:
    """Facilitators interchangeable in the model get non-increasing loads by id."""
    problem = built.problem
    kept = {i for ids in problem.keep.values() for i in ids}
    fixed_by = defaultdict(list)
    for booking in problem.fixed:
        fixed_by[booking.facilitator_id].append((booking.starts_at_utc, booking.ends_at_utc))
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for f in problem.pool:
        cohorts = frozenset(c for c, i in built.choose if i == f.id)
        if not cohorts or f.id in kept:
            continue
        signature = (
            cohorts,
            f.timezone,
            f.max_sessions_per_month,
            f.home_state.strip().casefold(),
            tuple(sorted(fixed_by[f.id])),
        )
        groups[signature].append(f.id)
    built.twins = [ids for ids in groups.values() if len(ids) > 1]
    for ids in built.twins:
        for first, second in pairwise(ids):
            built.model.add(built.load[first] >= built.load[second])


def _set_objective(built: _Model) -> None:
    """Split the cost into the staffing-and-fairness part and the preference part."""
    problem = built.problem
    weights = problem.weights
    by_id = {f.id: f for f in problem.pool}
    needs = {n.cohort_id: n for n in problem.needs}
    fixed_part = weights.unassigned * (len(problem.needs) - len(built.staffed))
    fixed_part += weights.fairness * sum(
        problem.loads[f.id] ** 2 for f in problem.pool if f.id not in built.squared
    )
    built.main = (
        sum(weights.unassigned * (1 - staffed) for staffed in built.staffed.values())
        + sum(weights.fairness * squared for squared in built.squared.values())
        + fixed_part
    )
    terms: list[cp_model.LinearExprT] = [
        AWAY_COST * var
        for (cohort, facilitator_id), var in built.choose.items()
        if is_away(needs[cohort], by_id[facilitator_id])
    ]
    dropped = 0
    for cohort, ids in problem.keep.items():
        for facilitator_id in ids:
            kept = built.choose.get((cohort, facilitator_id))
            if kept is None:
                dropped += DROP_COST
            else:
                terms.append(DROP_COST * (1 - kept))
    built.preference = sum(terms) + dropped


def _set_hint(built: _Model, hint: Assignments) -> None:
    plan = _order_twins(built, hint)
    for (cohort, facilitator_id), var in built.choose.items():
        built.model.add_hint(var, facilitator_id in plan.get(cohort, ()))
    for cohort, staffed in built.staffed.items():
        built.model.add_hint(staffed, cohort in plan)
    sizes = {n.cohort_id: len(n.meetings) for n in built.problem.needs}
    for facilitator_id, squared in built.squared.items():
        load = built.problem.loads[facilitator_id] + sum(
            sizes[c] for c, ids in plan.items() if facilitator_id in ids
        )
        built.model.add_hint(built.load[facilitator_id], load)
        built.model.add_hint(squared, load * load)


def _order_twins(built: _Model, hint: Assignments) -> Mapping[int, tuple[int, ...]]:
    """Relabel interchangeable facilitators in the hint so their loads fall by id."""
    sizes = {n.cohort_id: len(n.meetings) for n in built.problem.needs}
    rename: dict[int, int] = {}
    for ids in built.twins:
        loads = {i: sum(sizes[c] for c, chosen in hint.items() if i in chosen) for i in ids}
        by_load = sorted(ids, key=lambda i: (-loads[i], i))
        rename.update(zip(by_load, ids, strict=True))
    return {c: tuple(rename.get(i, i) for i in chosen) for c, chosen in hint.items()}
