"""Pure rules of applying offering states: staleness, meeting changes, what booked people see."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.columns import as_utc

# Fields of an offering that people booked on a cohort can see in their invites.
VISIBLE_FIELDS = ("title", "description", "format", "timezone", "venue", "join_url", "meetings")
# Changes after which facilitators must be re-checked against their constraints.
REFIT_FIELDS = frozenset({"meetings", "format", "venue"})

Interval = tuple[datetime, datetime]


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """Whether an offering state is older than the one applied (undated states never are)."""
    return incoming is not None and stored is not None and as_utc(incoming) < as_utc(stored)


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
