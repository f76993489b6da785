"""A facilitator's weekly availability and calendar months, read in the facilitator's own zone."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Month = tuple[int, int]


@dataclass(frozen=True)
class Window:
    """Weekly availability in the facilitator's own zone; weekday Mon=0..Sun=6."""

    weekday: int
    start: time
    end: time


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name` (cached)."""
    return ZoneInfo(name)


def fitting_window(
    starts_at_utc: datetime, ends_at_utc: datetime, timezone: str, windows: Iterable[Window]
) -> Window | None:
    """The window holding the whole meeting in `timezone` wall time, or None.

    The meeting must end on the local day it starts (windows never cross midnight), so DST
    shifts are handled by comparing wall-clock times after conversion.
    """
    local_start = starts_at_utc.astimezone(zone(timezone))
    local_end = ends_at_utc.astimezone(zone(timezone))
    if local_end.date() != local_start.date():
        return None
    start, end = local_start.time(), local_end.time()
    for window in windows:
        if window.weekday == local_start.weekday() and window.start <= start and end <= window.end:
            return window
    return None


def local_month(at_utc: datetime, timezone: str) -> Month:
    """(year, month) of an instant in `timezone`."""
    local = at_utc.astimezone(zone(timezone))
    return local.year, local.month


def describe_window(window: Window) -> str:
    """'Tue 09:00-17:00'."""
    day = WEEKDAY_NAMES[window.weekday]
    return f"{day} {window.start:%H:%M}-{window.end:%H:%M}"


def describe_month(month: Month) -> str:
    """'Mar 2027'."""
    return f"{MONTH_NAMES[month[1] - 1]} {month[0]}"


def describe_local(starts_at_utc: datetime, ends_at_utc: datetime, timezone: str) -> str:
    """'Tue 2027-03-16 08:00-10:00 America/Phoenix'."""
    start = starts_at_utc.astimezone(zone(timezone))
    end = ends_at_utc.astimezone(zone(timezone))
    day = WEEKDAY_NAMES[start.weekday()]
    return f"{day} {start:%Y-%m-%d %H:%M}-{end:%H:%M} {timezone}"
