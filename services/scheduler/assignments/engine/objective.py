"""The single cost of an assignment plan, shared by the greedy pick and the CP-SAT planner.

Lower is better. Lexicographic through weights: every unassigned cohort costs more than any
change in fairness can; fairness (sum of squared facilitator loads, load = sessions held,
the fixed bookings passed in included) costs more than any change in the soft preferences;
preferences count out-of-state picks for in-person/hybrid cohorts (1 each) and kept
facilitators that were dropped (2 each). Squares make an extra session cost more the busier
the facilitator already is, which is what the greedy pick's "lowest load first" follows.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.scheduler.assignments.engine.staffing import (
    AWAY_COST,
    DROP_COST,
    IN_PERSON_FORMATS,
    Booking,
    CohortNeed,
    FacilitatorProfile,
    is_away,
)

Assignments = Mapping[int, tuple[int, ...]]


@dataclass(frozen=True)
class Weights:
    """Objective weights for one planning problem."""

    unassigned: int
    fairness: int


@dataclass(frozen=True)
class Score:
    """An assignment plan's cost and its parts.

    `secondary` is the fairness + preference part of `total` (total minus the unassigned
    penalty): comparing it shows differences that the large staffing weight would hide.
    """

    unassigned: int
    squared_load: int
    away: int
    dropped: int
    total: int
    secondary: int = 0

    @property
    def preference(self) -> int:
        """The soft-preference part (out-of-state and dropped kept facilitators)."""
        return AWAY_COST * self.away + DROP_COST * self.dropped


def fixed_loads(
    needs: Sequence[CohortNeed], pool: Sequence[FacilitatorProfile], fixed: Sequence[Booking]
) -> dict[int, int]:
    """Sessions each pool member already holds outside the cohorts being planned."""
    planned = {n.cohort_id for n in needs}
    counts = Counter(b.facilitator_id for b in fixed if b.cohort_id not in planned)
    return {f.id: counts[f.id] for f in pool}


def weights_for(
    needs: Sequence[CohortNeed],
    pool: Sequence[FacilitatorProfile],
    loads: Mapping[int, int],
    keep: Mapping[int, tuple[int, ...]],
) -> Weights:
    """Weights large enough to make the three levels strictly lexicographic."""
    max_preference = AWAY_COST * sum(
        n.facilitators_required for n in needs if n.format in IN_PERSON_FORMATS
    ) + DROP_COST * sum(len(keep.get(n.cohort_id, ())) for n in needs)
    fairness = max_preference + 1
    max_squared = 0
    for f in pool:
        reachable = sum(len(n.meetings) for n in needs if n.program_code in f.certifications)
        max_squared += (loads.get(f.id, 0) + reachable) ** 2
    return Weights(unassigned=fairness * max_squared + max_preference + 1, fairness=fairness)


def score_plan(
    needs: Sequence[CohortNeed],
    pool: Sequence[FacilitatorProfile],
    fixed: Sequence[Booking],
    assignments: Assignments,
    keep: Mapping[int, tuple[int, ...]] | None = None,
) -> Score:
    """Cost of `assignments` (cohort id -> facilitator ids); cohorts absent are unassigned."""
    keep = keep or {}
    loads = fixed_loads(needs, pool, fixed)
    weights = weights_for(needs, pool, loads, keep)
    by_id = {f.id: f for f in pool}
    unassigned = away = dropped = 0
    for need in needs:
        chosen = assignments.get(need.cohort_id, ())
        unassigned += need.cohort_id not in assignments
        for facilitator_id in chosen:
            loads[facilitator_id] = loads.get(facilitator_id, 0) + len(need.meetings)
            away += is_away(need, by_id[facilitator_id])
        dropped += sum(1 for k in keep.get(need.cohort_id, ()) if k not in chosen)
    squared = sum(load * load for load in loads.values())
    secondary = weights.fairness * squared + AWAY_COST * away + DROP_COST * dropped
    total = weights.unassigned * unassigned + secondary
    return Score(unassigned, squared, away, dropped, total, secondary)
