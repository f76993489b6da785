"""Facilitator matching for one cohort: hard-constraint check and the fast incremental pick."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from services.scheduler.assignments.engine.explain import explain_pick, no_fit
from services.scheduler.assignments.engine.hard_rules import check_facilitator
from services.scheduler.assignments.engine.staffing import (
    AWAY_COST,
    DEFAULT_BUFFER,
    DROP_COST,
    Booking,
    CohortNeed,
    FacilitatorProfile,
    NoFit,
    Pick,
    is_away,
)


def hard_violations(
    need: CohortNeed,
    facilitator: FacilitatorProfile,
    bookings: Sequence[Booking],
    *,
    travel_buffer: timedelta = DEFAULT_BUFFER,
) -> list[str]:
    """Human-readable hard-constraint violations of putting this facilitator on this cohort.

    An empty list means the facilitator fits.
    """
    own = [b for b in bookings if b.facilitator_id == facilitator.id]
    return check_facilitator(need, facilitator, own, travel_buffer).violations


def bookings_by_facilitator(bookings: Iterable[Booking]) -> dict[int, list[Booking]]:
    """Bookings grouped by facilitator id."""
    grouped: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        grouped[booking.facilitator_id].append(booking)
    return grouped


def pick_facilitators(
    need: CohortNeed,
    pool: Sequence[FacilitatorProfile],
    bookings: Sequence[Booking],
    *,
    travel_buffer: timedelta = DEFAULT_BUFFER,
    prefer_ids: Sequence[int] = (),
) -> Pick | NoFit:
    """Fast deterministic incremental pick for one cohort, with an explanation.

    Among those who fit, ranks by lowest load (sessions already booked), then the soft
    preferences (kept facilitator, in-state), then id: the same order the planner's objective
    gives to the marginal cost of each candidate.
    """
    grouped = bookings_by_facilitator(bookings)
    ordered = sorted(pool, key=lambda f: f.id)
    verdicts = {
        f.id: check_facilitator(need, f, grouped.get(f.id, ()), travel_buffer) for f in ordered
    }
    fitting = [f for f in ordered if not verdicts[f.id].violations]
    if len(fitting) < need.facilitators_required:
        return no_fit(need, ordered, verdicts)
    preferred = frozenset(prefer_ids)

    def rank(f: FacilitatorProfile) -> tuple[int, int, int]:
        preference = AWAY_COST * is_away(need, f) - DROP_COST * (f.id in preferred)
        return verdicts[f.id].load, preference, f.id

    chosen = sorted(fitting, key=rank)[: need.facilitators_required]
    return Pick(
        cohort_id=need.cohort_id,
        facilitator_ids=tuple(f.id for f in chosen),
        explanation=explain_pick(need, chosen, verdicts, len(fitting), preferred),
    )
