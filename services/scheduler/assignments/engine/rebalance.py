"""Local search on a plan: moves, swaps and two-step chains of facilitators, while cost drops."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from time import perf_counter

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

MAX_ROUNDS = 50


@dataclass
class _State:
    """A plan in the shape local search needs: loads, month counts and clash neighbours."""

    problem: PlanProblem
    plan: dict[int, list[int]]
    load: dict[int, int] = field(default_factory=dict)
    held: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    months: dict[int, Counter[Month]] = field(default_factory=lambda: defaultdict(Counter))
    neighbours: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    need: dict[int, CohortNeed] = field(default_factory=dict)
    facilitator: dict[int, FacilitatorProfile] = field(default_factory=dict)
    cohort_months: dict[tuple[int, int], Counter[Month]] = field(default_factory=dict)
    soft: dict[tuple[int, int], int] = field(default_factory=dict)


def rebalance(
    problem: PlanProblem, assignments: Assignments, *, seconds: float = 1.0
) -> dict[int, tuple[int, ...]]:
    """Improve `assignments` by moves, swaps and two-step chains (never raises its cost)."""
    deadline = perf_counter() + seconds
    state = _state(problem, assignments)
    for _ in range(MAX_ROUNDS):
        improved = _improve_by_moves(state) | _improve_by_swaps(state)
        if not (improved or _improve_by_chains(state, deadline)) or perf_counter() > deadline:
            break
    return {c: tuple(sorted(ids)) for c, ids in state.plan.items()}


def _state(problem: PlanProblem, assignments: Assignments) -> _State:
    state = _State(problem, {c: list(ids) for c, ids in assignments.items()})
    state.need = {n.cohort_id: n for n in problem.needs}
    state.facilitator = {f.id: f for f in problem.pool}
    state.load = dict(problem.loads)
    for booking in problem.fixed:
        zone = state.facilitator[booking.facilitator_id].timezone
        month = local_month(booking.starts_at_utc, zone)
        state.months[booking.facilitator_id][month] += 1
    for cohort, facilitators in state.plan.items():
        for facilitator_id in facilitators:
            _take(state, cohort, facilitator_id)
    for first, second in clashing_pairs(problem.needs, problem.travel_buffer):
        state.neighbours[first].add(second)
        state.neighbours[second].add(first)
    return state


def _months_of(state: _State, cohort: int, facilitator_id: int) -> Counter[Month]:
    key = (cohort, facilitator_id)
    if key not in state.cohort_months:
        zone = state.facilitator[facilitator_id].timezone
        meetings = state.need[cohort].meetings
        state.cohort_months[key] = Counter(local_month(m.starts_at_utc, zone) for m in meetings)
    return state.cohort_months[key]


def _take(state: _State, cohort: int, facilitator_id: int) -> None:
    state.held[facilitator_id].add(cohort)
    state.load[facilitator_id] += len(state.need[cohort].meetings)
    state.months[facilitator_id].update(_months_of(state, cohort, facilitator_id))


def _drop(state: _State, cohort: int, facilitator_id: int) -> None:
    state.held[facilitator_id].discard(cohort)
    state.load[facilitator_id] -= len(state.need[cohort].meetings)
    state.months[facilitator_id].subtract(_months_of(state, cohort, facilitator_id))


def _fits(state: _State, cohort: int, facilitator_id: int, leaving: int | None = None) -> bool:
    """Whether `facilitator_id` can take `cohort`, as if already rid of `leaving`."""
    if facilitator_id in state.plan.get(cohort, ()):
        return False
    if facilitator_id not in state.problem.eligible[cohort]:
        return False
    held = state.held[facilitator_id] - {leaving}
    if state.neighbours[cohort] & held:
        return False
    cap = state.facilitator[facilitator_id].max_sessions_per_month
    freed = Counter() if leaving is None else _months_of(state, leaving, facilitator_id)
    return all(
        state.months[facilitator_id][m] - freed[m] + n <= cap
        for m, n in _months_of(state, cohort, facilitator_id).items()
    )


def _soft(state: _State, cohort: int, facilitator_id: int) -> int:
    """Preference cost of holding this slot (out-of-state, or not the kept facilitator)."""
    key = (cohort, facilitator_id)
    if key not in state.soft:
        facilitator = state.facilitator[facilitator_id]
        kept = facilitator_id in state.problem.keep.get(cohort, ())
        away = is_away(state.need[cohort], facilitator)
        state.soft[key] = AWAY_COST * away - DROP_COST * kept
    return state.soft[key]


def _square_delta(state: _State, changes: dict[int, int]) -> int:
    return sum((state.load[f] + d) ** 2 - state.load[f] ** 2 for f, d in changes.items())


def _slots(state: _State) -> Iterator[tuple[int, int]]:
    for cohort in sorted(state.plan):
        for facilitator_id in sorted(state.plan[cohort]):
            yield cohort, facilitator_id


def _improve_by_moves(state: _State) -> bool:
    improved = False
    fairness = state.problem.weights.fairness
    for cohort, giver in list(_slots(state)):
        size = len(state.need[cohort].meetings)
        best, best_delta = None, 0
        for taker in state.problem.eligible[cohort]:
            if not _fits(state, cohort, taker):
                continue
            delta = fairness * _square_delta(state, {giver: -size, taker: size})
            delta += _soft(state, cohort, taker) - _soft(state, cohort, giver)
            if delta < best_delta:
                best, best_delta = taker, delta
        if best is not None:
            _reassign(state, cohort, giver, best)
            improved = True
    return improved


def _reassign(state: _State, cohort: int, giver: int, taker: int) -> None:
    _drop(state, cohort, giver)
    state.plan[cohort] = [taker if i == giver else i for i in state.plan[cohort]]
    _take(state, cohort, taker)


def _improve_by_swaps(state: _State) -> bool:
    improved = False
    fairness, load = state.problem.weights.fairness, state.load
    slots = list(_slots(state))
    for i, (first, a) in enumerate(slots):
        for second, b in slots[i + 1 :]:
            if a == b or first == second:
                continue
            shift = len(state.need[second].meetings) - len(state.need[first].meetings)
            squared = 2 * shift * (load[a] - load[b]) + 2 * shift * shift
            if squared > 0 or a not in state.plan[first] or b not in state.plan[second]:
                continue
            delta = fairness * squared
            delta += _soft(state, first, b) + _soft(state, second, a)
            delta -= _soft(state, first, a) + _soft(state, second, b)
            if delta >= 0:
                continue
            if _fits(state, first, b, leaving=second) and _fits(state, second, a, leaving=first):
                _reassign(state, first, a, b)
                _reassign(state, second, b, a)
                improved = True
                break
    return improved


def _improve_by_chains(state: _State, deadline: float) -> bool:
    """Pass a cohort to a facilitator who hands one of theirs on to a third."""
    improved = False
    for first, giver in list(_slots(state)):
        if perf_counter() > deadline:
            break
        if giver in state.plan[first]:
            improved |= _chain_from(state, first, giver)
    return improved


def _chain_from(state: _State, first: int, giver: int) -> bool:
    fairness, load = state.problem.weights.fairness, state.load
    size = len(state.need[first].meetings)
    lightest = min(load.values(), default=0)
    for middle in state.problem.eligible[first]:
        if middle == giver or middle in state.plan[first]:
            continue
        for second in sorted(state.held[middle] - {first}):
            handed = len(state.need[second].meetings)
            shift = size - handed
            # Squared-load change without the taker's part; fairness outweighs preferences,
            # so a chain that raises it can never pay off.
            base = size * size - 2 * load[giver] * size + 2 * load[middle] * shift + shift * shift
            if base + 2 * lightest * handed + handed * handed > 0:
                continue
            for taker in state.problem.eligible[second]:
                if taker in (giver, middle) or taker in state.plan[second]:
                    continue
                squared = base + 2 * load[taker] * handed + handed * handed
                if squared > 0:
                    continue
                delta = fairness * squared
                delta += _soft(state, first, middle) - _soft(state, first, giver)
                delta += _soft(state, second, taker) - _soft(state, second, middle)
                if delta >= 0 or not _fits(state, second, taker):
                    continue
                if _fits(state, first, middle, leaving=second):
                    _reassign(state, second, middle, taker)
                    _reassign(state, first, giver, middle)
                    return True
    return False
