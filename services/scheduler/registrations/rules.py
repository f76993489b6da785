"""Rules of registering: deadlines, which cohort has a free seat, opening cohorts, who may see."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.scheduler.models import Cohort, Offering, Registration
from shared.auth import EDITING, Principal
from shared.columns import as_utc


def registration_closed(closes_at: datetime | None, now: datetime) -> bool:
    """Whether the registration deadline has passed."""
    return closes_at is not None and as_utc(closes_at) <= now


@dataclass(frozen=True)
class CohortSeats:
    """How full a cohort is."""

    cohort_id: int
    index: int
    status: str
    confirmed: int


def cohort_with_free_seat(cohorts: Sequence[CohortSeats], capacity: int) -> int | None:
    """The lowest-index cohort still taking people, or None when every cohort is full."""
    for cohort in sorted(cohorts, key=lambda c: c.index):
        if cohort.status != Cohort.CANCELLED and cohort.confirmed < capacity:
            return cohort.cohort_id
    return None


def free_seats(confirmed: int, capacity: int) -> int:
    """Seats left in a cohort (never negative, even when capacity was cut below confirmed)."""
    return max(capacity - confirmed, 0)


def overflow(confirmed: int, capacity: int) -> int:
    """How many confirmed people a cohort holds beyond its (reduced) capacity."""
    return max(confirmed - capacity, 0)


def may_open_cohort(cohorts: Sequence[CohortSeats], max_cohorts: int) -> bool:
    """Whether the offering may open one more cohort."""
    return sum(1 for c in cohorts if c.status != Cohort.CANCELLED) < max_cohorts


def next_cohort_index(cohorts: Sequence[CohortSeats]) -> int:
    """The index the next cohort of an offering gets."""
    return max((c.index for c in cohorts), default=0) + 1


def cancel_reason(role: str) -> str:
    """Why a registration ended, from who ended it."""
    return {"educator": "by_educator", "affiliate": "by_affiliate"}.get(role, "by_operator")


def may_see(principal: Principal, registration: Registration, offering: Offering) -> bool:
    """Whether the caller may see and act on a registration (owner, owning affiliate, operator)."""
    if principal.is_operator or principal.member_of(offering.affiliate_id):
        return True
    return principal.educator_id == registration.educator_id


def may_change(principal: Principal, registration: Registration, offering: Offering) -> bool:
    """Whether the caller may cancel a registration: its educator, the owning affiliate's admins
    and editors, an operator (a viewer only looks)."""
    if principal.is_operator or principal.educator_id == registration.educator_id:
        return True
    return principal.member_of(offering.affiliate_id, *EDITING)
