"""Hard constraints of putting one facilitator on one cohort, sorted by kind."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from services.scheduler.assignments.engine.availability import (
    Month,
    Window,
    describe_local,
    describe_month,
    fitting_window,
    local_month,
)
from services.scheduler.assignments.engine.staffing import (
    DEFAULT_BUFFER,
    Booking,
    CohortNeed,
    FacilitatorProfile,
    need_bookings,
)


@dataclass
class Verdict:
    """Hard-constraint findings for one facilitator on one cohort, by kind."""

    uncertified: list[str] = field(default_factory=list)
    other_affiliate: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    clashing: list[str] = field(default_factory=list)
    over_cap: list[str] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    month_sessions: dict[Month, int] = field(default_factory=dict)
    load: int = 0

    @property
    def violations(self) -> list[str]:
        """All findings, in a stable order."""
        return (
            self.uncertified
            + self.other_affiliate
            + self.unavailable
            + self.clashing
            + self.over_cap
        )

    @property
    def available(self) -> bool:
        """Certified, inside availability and free of clashes (the cap aside)."""
        return not (self.uncertified or self.other_affiliate or self.unavailable or self.clashing)


def _same_city(a: str | None, b: str | None) -> bool:
    # An unknown city never counts as the same place: the buffer then applies.
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def clash(a: Booking, b: Booking, travel_buffer: timedelta = DEFAULT_BUFFER) -> bool:
    """Whether one person cannot hold both: overlap, or too close between in-person cities."""
    gap = timedelta(0)
    if a.in_person and b.in_person and not _same_city(a.city, b.city):
        gap = travel_buffer
    return a.starts_at_utc < b.ends_at_utc + gap and b.starts_at_utc < a.ends_at_utc + gap


def _clash_text(meeting: Booking, other: Booking, facilitator: FacilitatorProfile) -> str:
    when = describe_local(meeting.starts_at_utc, meeting.ends_at_utc, facilitator.timezone)
    if meeting.starts_at_utc < other.ends_at_utc and other.starts_at_utc < meeting.ends_at_utc:
        return f"meeting {when} overlaps a meeting of cohort {other.cohort_id}"
    return (
        f"meeting {when} leaves no travel buffer to an in-person meeting of cohort "
        f"{other.cohort_id} in {other.city or 'an unknown city'}"
    )


def check_facilitator(
    need: CohortNeed,
    facilitator: FacilitatorProfile,
    own_bookings: Iterable[Booking],
    travel_buffer: timedelta = DEFAULT_BUFFER,
) -> Verdict:
    """Findings for `facilitator` on `need`, given that facilitator's bookings.

    Bookings of the cohort itself are ignored: they are what a re-plan reconsiders.
    """
    verdict = Verdict()
    others = [b for b in own_bookings if b.cohort_id != need.cohort_id]
    verdict.load = len(others)
    if need.program_code not in facilitator.certifications:
        verdict.uncertified.append(f"not certified for {need.program_code}")
    if facilitator.serves_only is not None and facilitator.serves_only != need.affiliate_id:
        verdict.other_affiliate.append(
            f"leads only offerings of affiliate {facilitator.serves_only}"
        )
    for meeting in need.meetings:
        start, end = meeting.starts_at_utc, meeting.ends_at_utc
        window = fitting_window(start, end, facilitator.timezone, facilitator.availability)
        if window is None:
            when = describe_local(start, end, facilitator.timezone)
            verdict.unavailable.append(f"meeting {when} is outside their availability")
        elif window not in verdict.windows:
            verdict.windows.append(window)
    for mine in need_bookings(need, facilitator.id):
        verdict.clashing.extend(
            _clash_text(mine, other, facilitator)
            for other in others
            if clash(mine, other, travel_buffer)
        )
    _check_cap(need, facilitator, others, verdict)
    return verdict


def _check_cap(
    need: CohortNeed, facilitator: FacilitatorProfile, others: list[Booking], verdict: Verdict
) -> None:
    tz, cap = facilitator.timezone, facilitator.max_sessions_per_month
    new = Counter(local_month(m.starts_at_utc, tz) for m in need.meetings)
    booked = Counter(local_month(b.starts_at_utc, tz) for b in others)
    for month in sorted(new):
        verdict.month_sessions[month] = booked[month] + new[month]
        if booked[month] + new[month] > cap:
            verdict.over_cap.append(
                f"{describe_month(month)}: {booked[month]} booked + {new[month]} new sessions "
                f"exceed the cap of {cap}"
            )
