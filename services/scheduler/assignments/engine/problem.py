"""A batch planning problem: who fits each cohort alone, which cohorts clash, greedy staffing."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from services.scheduler.assignments.engine.hard_rules import check_facilitator, clash
from services.scheduler.assignments.engine.objective import (
    Assignments,
    Weights,
    fixed_loads,
    weights_for,
)
from services.scheduler.assignments.engine.pick import bookings_by_facilitator, pick_facilitators
from services.scheduler.assignments.engine.staffing import (
    Booking,
    CohortNeed,
    FacilitatorProfile,
    Pick,
    need_bookings,
)


@dataclass(frozen=True)
class PlanProblem:
    """Inputs of one batch plan in a deterministic order, with each cohort's eligible pool."""

    needs: tuple[CohortNeed, ...]
    pool: tuple[FacilitatorProfile, ...]
    fixed: tuple[Booking, ...]
    keep: Mapping[int, tuple[int, ...]]
    travel_buffer: timedelta
    eligible: Mapping[int, tuple[int, ...]]
    loads: Mapping[int, int]
    weights: Weights

    @property
    def staffable(self) -> list[CohortNeed]:
        """Cohorts with at least as many eligible facilitators as they require."""
        return [n for n in self.needs if len(self.eligible[n.cohort_id]) >= n.facilitators_required]


def build_problem(
    needs: Sequence[CohortNeed],
    pool: Sequence[FacilitatorProfile],
    fixed: Sequence[Booking],
    keep: Mapping[int, tuple[int, ...]],
    travel_buffer: timedelta,
) -> PlanProblem:
    """Sort the inputs and keep, per cohort, the facilitators who fit it against `fixed` alone."""
    ordered_needs = tuple(sorted(needs, key=lambda n: n.cohort_id))
    ordered_pool = tuple(sorted(pool, key=lambda f: f.id))
    planned = {n.cohort_id for n in ordered_needs}
    members = {f.id for f in ordered_pool}
    # Bookings of the cohorts being planned are what the plan replaces.
    kept_fixed = tuple(
        b for b in fixed if b.cohort_id not in planned and b.facilitator_id in members
    )
    grouped = bookings_by_facilitator(kept_fixed)
    eligible = {
        need.cohort_id: tuple(
            f.id
            for f in ordered_pool
            if need.program_code in f.certifications
            and not check_facilitator(need, f, grouped.get(f.id, ()), travel_buffer).violations
        )
        for need in ordered_needs
    }
    loads = fixed_loads(ordered_needs, ordered_pool, kept_fixed)
    keep = {c: tuple(ids) for c, ids in (keep or {}).items() if c in planned}
    weights = weights_for(ordered_needs, ordered_pool, loads, keep)
    return PlanProblem(
        ordered_needs, ordered_pool, kept_fixed, keep, travel_buffer, eligible, loads, weights
    )


def clashing_pairs(needs: Sequence[CohortNeed], travel_buffer: timedelta) -> set[tuple[int, int]]:
    """Pairs of cohorts (lower id first) that no facilitator can hold both of, by interval sweep."""
    meetings = sorted(
        (b for n in needs for b in need_bookings(n, 0)),
        key=lambda b: (b.starts_at_utc, b.cohort_id),
    )
    pairs: set[tuple[int, int]] = set()
    for i, first in enumerate(meetings):
        horizon = first.ends_at_utc + travel_buffer
        for second in meetings[i + 1 :]:
            if second.starts_at_utc >= horizon:
                break
            a, b = first.cohort_id, second.cohort_id
            if a != b and clash(first, second, travel_buffer):
                pairs.add((min(a, b), max(a, b)))
    return pairs


def greedy_order(problem: PlanProblem) -> list[CohortNeed]:
    """Most constrained first (fewest spare eligible facilitators), then earliest, then id."""

    def key(need: CohortNeed) -> tuple[int, float, int]:
        spare = len(problem.eligible[need.cohort_id]) - need.facilitators_required
        first = min((m.starts_at_utc.timestamp() for m in need.meetings), default=0.0)
        return spare, first, need.cohort_id

    return sorted(problem.needs, key=key)


def plan_bookings(problem: PlanProblem, assignments: Assignments) -> list[Booking]:
    """The fixed bookings plus those the plan's assignments create."""
    bookings = list(problem.fixed)
    for need in problem.needs:
        for facilitator_id in assignments.get(need.cohort_id, ()):
            bookings.extend(need_bookings(need, facilitator_id))
    return bookings


def staff_greedily(
    problem: PlanProblem, start: Assignments | None = None
) -> dict[int, tuple[int, ...]]:
    """Extend `start` by picking, cohort after cohort, with the incremental pick."""
    assignments = dict(start or {})
    bookings = plan_bookings(problem, assignments)
    by_id = {f.id: f for f in problem.pool}
    for need in greedy_order(problem):
        if need.cohort_id in assignments:
            continue
        candidates = [by_id[i] for i in problem.eligible[need.cohort_id]]
        pick = pick_facilitators(
            need,
            candidates,
            bookings,
            travel_buffer=problem.travel_buffer,
            prefer_ids=problem.keep.get(need.cohort_id, ()),
        )
        if isinstance(pick, Pick):
            assignments[need.cohort_id] = pick.facilitator_ids
            for facilitator_id in pick.facilitator_ids:
                bookings.extend(need_bookings(need, facilitator_id))
    return assignments


def unassigned_reasons(problem: PlanProblem, assignments: Assignments) -> dict[int, str]:
    """Why each cohort left out of `assignments` could not be staffed next to the others."""
    bookings = plan_bookings(problem, assignments)
    reasons: dict[int, str] = {}
    for need in _left_out(problem.needs, assignments):
        result = pick_facilitators(
            need, problem.pool, bookings, travel_buffer=problem.travel_buffer
        )
        if isinstance(result, Pick):
            reasons[need.cohort_id] = "not staffed in this plan"
        else:
            reasons[need.cohort_id] = f"{result.reason}: {result.detail}"
    return reasons


def _left_out(needs: Iterable[CohortNeed], assignments: Assignments) -> list[CohortNeed]:
    return [n for n in needs if n.cohort_id not in assignments]
