"""Pure rules of applying offering states: staleness, meeting changes, what booked people see."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.columns import as_utc

# Fields of an offering that people booked on a cohort can see in their invites (discretion
# decides whether the title shows at all).
VISIBLE_FIELDS = (
    "title",
    "description",
    "sensitive",
    "format",
    "timezone",
    "venue",
    "join_url",
    "meetings",
)
# Changes after which facilitators must be re-checked against their constraints.
REFIT_FIELDS = frozenset({"meetings", "format", "venue"})

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Stamp:
    """Where an offering state sits in the registry's history: its version (0 if unknown), clock."""

    version: int
    updated_at: datetime | None


def is_stale(incoming: Stamp, stored: Stamp) -> bool:
    """Whether an offering state is not newer than the one applied, by version if both know it."""
    if incoming.version > 0 and stored.version > 0:
        return incoming.version <= stored.version
    # Replicas' clocks may disagree, so the clock only decides for states without a version.
    came, held = incoming.updated_at, stored.updated_at
    return came is not None and held is not None and as_utc(came) < as_utc(held)


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
