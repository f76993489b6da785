"""When attendance may be marked, and what a mark may say. Pure: no database here."""

from datetime import datetime, timedelta

OPENS_BEFORE_START = timedelta(minutes=30)
CLOSES_AFTER_END = timedelta(days=7)


def marking_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """From 30 minutes before the meeting starts until 7 days after it ends (both included)."""
    return starts_at - OPENS_BEFORE_START, ends_at + CLOSES_AFTER_END


def may_mark(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Tell whether attendance of this meeting may be marked now."""
    opens, closes = marking_window(starts_at, ends_at)
    return opens <= now <= closes


def meeting_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """How many minutes the meeting lasts."""
    return int((ends_at - starts_at).total_seconds() // 60)


def minutes_problem(status: str, minutes: int | None, longest: int) -> str | None:
    """Why these minutes do not fit the status and the meeting's length, or None when they do."""
    if status != "partial":
        return None if minutes is None else "only a partial attendance takes minutes"
    if minutes is None:
        return "a partial attendance needs the minutes attended"
    if not 0 < minutes < longest:
        return f"must be between 1 and {longest - 1} (the meeting lasts {longest} minutes)"
    return None
