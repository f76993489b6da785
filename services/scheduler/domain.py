"""Pure scheduling rules: seats, waitlist order, meeting changes, clashes and input checks."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STATE_PATTERN = re.compile(r"^[A-Z]{2}$")
IN_PERSON_FORMATS = frozenset({"in_person", "hybrid"})
# Fields of an offering that people booked on a cohort can see in their invites.
VISIBLE_FIELDS = ("title", "description", "format", "timezone", "venue", "join_url", "meetings")
# Changes after which facilitators must be re-checked against their constraints.
REFIT_FIELDS = frozenset({"meetings", "format", "venue"})

Interval = tuple[datetime, datetime]


def as_utc(moment: datetime) -> datetime:
    """Read a stored instant as UTC (SQLite hands back naive datetimes, always written in UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def email_key(email: str) -> str:
    """The form of an email address under which it must be unique (case-insensitive)."""
    return email.strip().lower()


def is_plausible_email(email: str) -> bool:
    """Tell whether a string looks like one email address."""
    return bool(EMAIL_PATTERN.match(email.strip()))


def is_timezone(name: str) -> bool:
    """Tell whether a name is a known IANA time zone."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_clock(value: str) -> time:
    """Read "HH:MM" as a time of day (raises ValueError otherwise)."""
    if not re.fullmatch(r"\d{2}:\d{2}", value):
        raise ValueError("must be HH:MM")
    return time.fromisoformat(value)


def is_in_person(offering_format: str) -> bool:
    """Whether facilitators travel to this offering's venue (in-person and hybrid)."""
    return offering_format in IN_PERSON_FORMATS


def blocked_until(ends_at: datetime, *, in_person: bool, travel_buffer: timedelta) -> datetime:
    """Until when a meeting keeps its facilitator busy (travel after an in-person meeting)."""
    return ends_at + travel_buffer if in_person else ends_at


def registration_closed(closes_at: datetime | None, now: datetime) -> bool:
    """Whether the registration deadline has passed."""
    return closes_at is not None and as_utc(closes_at) <= now


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """Whether an offering state is older than the one applied (undated states never are)."""
    return incoming is not None and stored is not None and as_utc(incoming) < as_utc(stored)


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
        if cohort.status != "cancelled" and cohort.confirmed < capacity:
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
    return sum(1 for c in cohorts if c.status != "cancelled") < max_cohorts


def next_cohort_index(cohorts: Sequence[CohortSeats]) -> int:
    """The index the next cohort of an offering gets."""
    return max((c.index for c in cohorts), default=0) + 1


@dataclass(frozen=True)
class MeetingChanges:
    """How an offering's meetings moved from one state to the next (by meeting id)."""

    added: tuple[int, ...]
    moved: tuple[int, ...]
    removed: tuple[int, ...]

    @property
    def any(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.moved or self.removed)


def diff_meetings(old: Mapping[int, Interval], new: Mapping[int, Interval]) -> MeetingChanges:
    """Compare two states of an offering's meetings."""
    return MeetingChanges(
        added=tuple(sorted(set(new) - set(old))),
        moved=tuple(sorted(i for i in set(new) & set(old) if old[i] != new[i])),
        removed=tuple(sorted(set(old) - set(new))),
    )


def visible_changes(
    old: Mapping[str, object], new: Mapping[str, object], meetings: MeetingChanges
) -> list[str]:
    """Which fields that booked people can see changed (in a stable order)."""
    changed = [f for f in VISIBLE_FIELDS if f != "meetings" and old.get(f) != new.get(f)]
    if meetings.any:
        changed.append("meetings")
    return changed


def cancel_reason(role: str) -> str:
    """Why a registration ended, from who ended it."""
    return {"educator": "by_educator", "affiliate": "by_affiliate"}.get(role, "by_operator")
