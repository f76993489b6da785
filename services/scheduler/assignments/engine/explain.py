"""Words for the matcher's decisions: why these facilitators, or why nobody fits."""

from collections.abc import Collection, Mapping, Sequence

from services.scheduler.assignments.engine.availability import describe_month, describe_window
from services.scheduler.assignments.engine.hard_rules import Verdict
from services.scheduler.assignments.engine.staffing import (
    IN_PERSON_FORMATS,
    CohortNeed,
    FacilitatorProfile,
    NoFit,
)


def _where(need: CohortNeed, facilitator: FacilitatorProfile) -> str:
    if need.format not in IN_PERSON_FORMATS:
        return "virtual"
    if not need.state:
        return "cohort state unknown"
    if facilitator.home_state.strip().casefold() == need.state.strip().casefold():
        return "in-state"
    return f"out-of-state (home {facilitator.home_state})"


def explain_facilitator(
    need: CohortNeed, facilitator: FacilitatorProfile, verdict: Verdict, kept: bool
) -> str:
    """One line: who, certification, windows used, sessions per month vs cap, load, place."""
    windows = ", ".join(describe_window(w) for w in verdict.windows) or "(no meetings)"
    cap = facilitator.max_sessions_per_month
    months = ", ".join(
        f"{count}/{cap} sessions in {describe_month(month)}"
        for month, count in sorted(verdict.month_sessions.items())
    )
    parts = [
        f"{facilitator.name} (id {facilitator.id}): certified for {need.program_code}",
        f"available {windows} {facilitator.timezone}",
        *([f"{months} with this cohort"] if months else []),
        f"{verdict.load} sessions booked before",
        _where(need, facilitator),
    ]
    if kept:
        parts.append("kept from the current assignment")
    return ", ".join(parts)


def explain_pick(
    need: CohortNeed,
    chosen: Sequence[FacilitatorProfile],
    verdicts: Mapping[int, Verdict],
    fitting: int,
    preferred: Collection[int],
) -> str:
    """Why these facilitators were picked for the cohort."""
    if not chosen:
        return "No facilitator is required."
    head = (
        f"Picked {len(chosen)} of {fitting} who fit (lowest load, then kept or in-state, then id): "
    )
    lines = [explain_facilitator(need, f, verdicts[f.id], f.id in preferred) for f in chosen]
    return head + "; ".join(lines)


def no_fit(
    need: CohortNeed, pool: Sequence[FacilitatorProfile], verdicts: Mapping[int, Verdict]
) -> NoFit:
    """The most telling reason why fewer than the required facilitators fit, with counts."""
    program = need.program_code
    qualified = [verdicts[f.id] for f in pool if not verdicts[f.id].uncertified]
    certified = [v for v in qualified if not v.other_affiliate]
    if not certified:
        detail = f"none of {len(pool)} facilitators is certified for {program}"
        if qualified:
            detail += f" ({len(qualified)} certified but kept to their own affiliate's offerings)"
        return NoFit(need.cohort_id, "nobody_certified", detail)
    available = [v for v in certified if v.available]
    if not available:
        outside = sum(1 for v in certified if v.unavailable)
        blocked = len(certified) - outside
        detail = (
            f"{len(certified)} certified for {program}, none free for all "
            f"{len(need.meetings)} meetings: {outside} outside their availability, "
            f"{blocked} blocked by overlapping or too-close bookings"
        )
        return NoFit(need.cohort_id, "nobody_available", detail)
    fitting = [v for v in available if not v.over_cap]
    counts = f"{len(certified)} certified for {program}, {len(available)} available"
    if not fitting:
        detail = f"{counts}, all {len(available)} at their monthly cap"
        return NoFit(need.cohort_id, "all_at_cap", detail)
    detail = (
        f"{need.facilitators_required} required but only {len(fitting)} fit ({counts}, "
        f"{len(available) - len(fitting)} at their monthly cap)"
    )
    return NoFit(need.cohort_id, "not_enough_facilitators", detail)
