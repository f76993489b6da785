"""Pure registry rules: local wall times in IANA zones, meetings and delivery formats.

Nothing here touches the web, the database or the bus, so every rule is testable on its own.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput
from shared.validation import within_years

MAX_MEETING_LENGTH = timedelta(hours=24)
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
FieldPath = tuple[str | int, ...]


class LocalTimeError(ValueError):
    """A wall time that cannot be read as one instant in its zone."""


@dataclass(frozen=True)
class Span:
    """One meeting's start and end as UTC instants."""

    starts_at_utc: datetime
    ends_at_utc: datetime


@dataclass(frozen=True)
class MeetingRequest:
    """A meeting as asked for: an optional existing id and local start and end texts."""

    starts_at: str
    ends_at: str
    id: int | None = None


# --- local wall time ------------------------------------------------------------------------


def valid_offsets(wall: datetime, zone: ZoneInfo) -> list[timedelta]:
    """UTC offsets at which a naive wall time really occurs: none in a gap, two in a fold."""
    offsets: list[timedelta] = []
    for fold in (0, 1):
        local = wall.replace(tzinfo=zone, fold=fold)
        offset = local.utcoffset()
        round_trip = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if offset is not None and round_trip == wall and offset not in offsets:
            offsets.append(offset)
    return offsets


def format_offset(offset: timedelta) -> str:
    """An offset as ISO 8601 text, e.g. -05:00."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def local_instant(text: str, zone: ZoneInfo) -> datetime:
    """Read a local wall time in `zone` (offset optional) and return it as a UTC instant."""
    try:
        if not _LOCAL_TIME.match(text):
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise LocalTimeError(
            f"{text!r} is not a local date and time like '2027-03-10T09:00'"
        ) from None
    try:
        within_years(parsed)
    except ValueError as exc:
        raise LocalTimeError(str(exc)) from None
    wall = parsed.replace(tzinfo=None)
    offsets = valid_offsets(wall, zone)
    shown = " or ".join(format_offset(offset) for offset in offsets)
    if not offsets:
        raise LocalTimeError(
            f"{wall.isoformat(timespec='minutes')} does not exist in {zone.key} "
            "(the clocks skip it for daylight saving time)"
        )
    if parsed.tzinfo is None:
        if len(offsets) > 1:
            raise LocalTimeError(
                f"{wall.isoformat(timespec='minutes')} happens twice in {zone.key} "
                f"(daylight saving time ends); add its offset: {shown}"
            )
        return wall.replace(tzinfo=zone).astimezone(UTC)
    offset = parsed.utcoffset()
    if offset not in offsets:
        given = format_offset(offset) if offset is not None else "?"
        raise LocalTimeError(
            f"offset {given} is not valid for {wall.isoformat(timespec='minutes')} "
            f"in {zone.key}; use {shown}"
        )
    return parsed.astimezone(UTC)


def read_time(text: str, zone: ZoneInfo, field: FieldPath) -> datetime:
    """`local_instant`, reporting a failure as invalid input of `field`."""
    try:
        return local_instant(text, zone)
    except LocalTimeError as exc:
        raise InvalidInput(field, str(exc)) from None


# --- meetings -------------------------------------------------------------------------------


def meeting_spans(meetings: Sequence[MeetingRequest], zone: ZoneInfo) -> list[Span]:
    """Read every meeting in `zone` and check each is sensible and none overlaps another."""
    if not meetings:
        raise InvalidInput(("meetings",), "at least one meeting is required")
    spans: list[Span] = []
    for index, meeting in enumerate(meetings):
        start = read_time(meeting.starts_at, zone, ("meetings", index, "starts_at"))
        end = read_time(meeting.ends_at, zone, ("meetings", index, "ends_at"))
        if end <= start:
            raise InvalidInput(("meetings", index, "ends_at"), "must be after starts_at")
        if end - start > MAX_MEETING_LENGTH:
            raise InvalidInput(("meetings", index, "ends_at"), "a meeting lasts at most 24 hours")
        spans.append(Span(start, end))
    check_no_overlap(spans)
    return spans


def check_no_overlap(spans: Sequence[Span]) -> None:
    """Refuse meetings of one offering that overlap (back-to-back is fine)."""
    order = sorted(range(len(spans)), key=lambda index: spans[index].starts_at_utc)
    for earlier, later in pairwise(order):
        if spans[later].starts_at_utc < spans[earlier].ends_at_utc:
            raise InvalidInput(
                ("meetings", later, "starts_at"), f"overlaps meetings[{earlier}] of this offering"
            )


def check_meeting_ids(requested: Sequence[int | None], existing: set[int]) -> None:
    """Ids in a meetings change must name this offering's meetings, each at most once."""
    seen: set[int] = set()
    for index, meeting_id in enumerate(requested):
        if meeting_id is None:
            continue
        if meeting_id not in existing:
            raise InvalidInput(("meetings", index, "id"), "is not a meeting of this offering")
        if meeting_id in seen:
            raise InvalidInput(("meetings", index, "id"), "appears more than once")
        seen.add(meeting_id)


# --- the offering as a whole ----------------------------------------------------------------


def check_delivery(*, format: str, has_venue: bool, has_join_url: bool) -> None:
    """In person needs a venue and no link; virtual a link and no venue; hybrid both."""
    needs_venue = format in ("in_person", "hybrid")
    needs_link = format in ("virtual", "hybrid")
    if needs_venue and not has_venue:
        raise InvalidInput(("venue",), f"is required for a {format} offering")
    if not needs_venue and has_venue:
        raise InvalidInput(("venue",), f"must be empty for a {format} offering")
    if needs_link and not has_join_url:
        raise InvalidInput(("join_url",), f"is required for a {format} offering")
    if not needs_link and has_join_url:
        raise InvalidInput(("join_url",), f"must be empty for a {format} offering")


def check_capacity(*, capacity: int, max_participants: int) -> None:
    """Seats per cohort may not exceed what the program allows."""
    if capacity > max_participants:
        raise InvalidInput(
            ("capacity",), f"exceeds the program's max_participants ({max_participants})"
        )


def check_registration_close(closes_at_utc: datetime | None, spans: Sequence[Span]) -> None:
    """Registration must close no later than the first meeting starts."""
    if closes_at_utc is None:
        return
    first_start = min(span.starts_at_utc for span in spans)
    if closes_at_utc > first_start:
        raise InvalidInput(
            ("registration_closes_at",), "must not be after the first meeting starts"
        )


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Fields whose values differ, each with its old and new value."""
    return {
        name: {"from": before.get(name), "to": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def check_future_meetings(
    planned: Sequence[tuple[int | None, Span]], before: Mapping[int, Span], now: datetime
) -> None:
    """The new or moved meetings of a published offering must start in the future."""
    for index, (meeting_id, span) in enumerate(planned):
        kept = meeting_id is not None and before.get(meeting_id) == span
        if not kept and span.starts_at_utc <= now:
            raise InvalidInput(
                ("meetings", index, "starts_at"),
                "is in the past; a published offering's meetings can only move to a future time",
            )
