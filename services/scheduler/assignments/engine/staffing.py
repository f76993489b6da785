"""The staffing vocabulary: facilitator profiles, cohort needs, bookings, picks and no-fits."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.scheduler.assignments.engine.availability import Window

IN_PERSON_FORMATS = frozenset({"in_person", "hybrid"})
# Soft preferences, in objective units: keeping a current facilitator outweighs one in-state pick.
AWAY_COST = 1
DROP_COST = 2
DEFAULT_BUFFER = timedelta(minutes=60)


@dataclass(frozen=True)
class FacilitatorProfile:
    """What the matcher knows about a facilitator."""

    id: int
    name: str
    timezone: str
    certifications: frozenset[str]
    home_state: str
    max_sessions_per_month: int
    availability: tuple[Window, ...]
    # The one affiliate whose offerings they may lead; None for the shared pool.
    serves_only: int | None = None


@dataclass(frozen=True)
class MeetingSlot:
    """One meeting of a cohort, as aware UTC instants."""

    id: int
    starts_at_utc: datetime
    ends_at_utc: datetime


@dataclass(frozen=True)
class CohortNeed:
    """A cohort that needs facilitators for all of its meetings."""

    cohort_id: int
    program_code: str
    format: str
    city: str | None
    state: str | None
    facilitators_required: int
    meetings: tuple[MeetingSlot, ...]
    affiliate_id: int | None = None


@dataclass(frozen=True)
class Booking:
    """An existing assignment of a facilitator to one meeting of another cohort."""

    facilitator_id: int
    cohort_id: int
    starts_at_utc: datetime
    ends_at_utc: datetime
    in_person: bool
    city: str | None


@dataclass(frozen=True)
class Pick:
    """The facilitators picked for a cohort and why."""

    cohort_id: int
    facilitator_ids: tuple[int, ...]
    explanation: str


@dataclass(frozen=True)
class NoFit:
    """Why a cohort could not be staffed."""

    cohort_id: int
    reason: Literal["nobody_certified", "nobody_available", "all_at_cap", "not_enough_facilitators"]
    detail: str


def need_bookings(need: CohortNeed, facilitator_id: int) -> tuple[Booking, ...]:
    """The cohort's meetings as the bookings a facilitator would hold."""
    in_person, city = need.format in IN_PERSON_FORMATS, need.city
    return tuple(
        Booking(facilitator_id, need.cohort_id, m.starts_at_utc, m.ends_at_utc, in_person, city)
        for m in need.meetings
    )


def is_away(need: CohortNeed, facilitator: FacilitatorProfile) -> bool:
    """In-person or hybrid cohort in a state other than the facilitator's home state."""
    if need.format not in IN_PERSON_FORMATS or not need.state:
        return False
    return facilitator.home_state.strip().casefold() != need.state.strip().casefold()
