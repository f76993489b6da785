"""The completion rule: share of the scheduled minutes attended, against the program's bar."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

# Attendance becomes final this long after the last meeting ends, marked or not.
FINAL_AFTER = timedelta(days=7)


def attended_percent(
    scheduled: Mapping[int, int], marks: Mapping[int, tuple[str, int | None]]
) -> int:
    """Percent (0-100) of the scheduled minutes attended, rounded down.

    `scheduled` maps meeting ids to their minutes; `marks` maps meeting ids to (status,
    minutes). Present counts the whole meeting, partial its minutes (capped at the meeting's
    length), absent and unmarked nothing. Rounding down, because 99.6 % is not all of it.
    """
    total = sum(scheduled.values())
    if total <= 0:
        return 0
    attended = 0
    for meeting_id, length in scheduled.items():
        status, minutes = marks.get(meeting_id, ("unmarked", None))
        if status == "present":
            attended += length
        elif status == "partial":
            attended += min(max(minutes or 0, 0), length)
    return attended * 100 // total


def completed(percent: int, completion_percent: int) -> bool:
    """Whether an attendance share meets the program's completion rule."""
    return percent >= completion_percent


def may_finalise(all_marked: bool, last_end_utc: datetime, now_utc: datetime) -> bool:
    """Once everyone is marked at every meeting, or when the week after the last one is over."""
    return all_marked or now_utc >= last_end_utc + FINAL_AFTER


def every_mark_made(participants: Iterable[int], meetings: Iterable[int], marked: set) -> bool:
    """Whether every (meeting, registration) pair has a mark."""
    wanted = {(m, p) for m in meetings for p in participants}
    return wanted <= marked
