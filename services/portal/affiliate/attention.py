"""What needs an affiliate's attention, from its offerings, their seats and its cohorts: drafts
not published, cohorts waiting for a facilitator, full offerings with long waitlists, and the
meetings of the coming week."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.portal.scheduler import Seats

# A waitlist this long on a full offering suggests opening another cohort or offering.
LONG_WAITLIST = 5
WEEK = timedelta(days=7)


@dataclass
class Attention:
    """The dashboard's lists, each soonest first."""

    drafts: list[dict[str, Any]] = field(default_factory=list)
    waiting_cohorts: list[dict[str, Any]] = field(default_factory=list)
    long_waitlists: list[tuple[dict[str, Any], Seats]] = field(default_factory=list)
    this_week: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        """Tell whether nothing needs attention."""
        return not (self.drafts or self.waiting_cohorts or self.long_waitlists or self.this_week)


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone(UTC)


def attention(
    offerings: list[dict[str, Any]],
    seats: dict[int, Seats],
    waiting_cohorts: list[dict[str, Any]],
    now: datetime,
) -> Attention:
    """Sort the affiliate's offerings and cohorts into what needs attention."""
    found = Attention(waiting_cohorts=waiting_cohorts)
    for offering in offerings:
        if offering["status"] == "draft":
            found.drafts.append(offering)
        if offering["status"] != "published":
            continue
        left = seats.get(offering["id"])
        if left is not None and left.left == 0 and left.waiting >= LONG_WAITLIST:
            found.long_waitlists.append((offering, left))
        for meeting in offering.get("meetings", []):
            if now <= _utc(meeting["ends_at_utc"]) and _utc(meeting["starts_at_utc"]) < now + WEEK:
                found.this_week.append((offering, meeting))
    found.this_week.sort(key=lambda pair: pair[1]["starts_at_utc"])
    return found
