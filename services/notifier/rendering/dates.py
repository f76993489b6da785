"""Dates, times and numbers as a mail shows them, in the reader's language (Babel's CLDR data):
"Wed 10 Mar 2027" in English, "mié 10 mar 2027" in Spanish; clocks are 24-hour in both."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from babel.numbers import format_decimal

from services.notifier.rendering.words import language, words_for

EN_DASH = "\u2013"  # between two times of a meeting
ARROW = "\u2192"  # from the old value to the new one


def day(moment: datetime, locale: str = "en") -> str:
    """The weekday and date of a local instant, e.g. "Tue 9 Mar 2027"."""
    return format_date(moment.date(), "EEE d MMM y", locale=language(locale))


def clock(moment: datetime) -> str:
    """The local time with its zone's abbreviation, e.g. "09:00 EST"."""
    return f"{moment:%H:%M} {moment.tzname()}"


def hours(value: float, locale: str = "en") -> str:
    """A count of PD hours in words ("3 PD hours", "1,5 horas de desarrollo profesional")."""
    words = words_for(locale)
    number = format_decimal(value, format="#,##0.##", locale=language(locale))
    key = "pd_hour_count" if value == 1 else "pd_hours_count"
    return words[key].format(hours=number)


def span(start: datetime, end: datetime, *, locale: str = "en", with_day: bool = True) -> str:
    """A meeting from start to end, e.g. "Tue 9 Mar 2027, 09:00-12:00 EST" (en dashes)."""
    prefix = f"{day(start, locale)}, " if with_day else ""
    if start.date() != end.date():
        return f"{prefix}{clock(start)} {EN_DASH} {day(end, locale)}, {clock(end)}"
    if start.tzname() != end.tzname():  # the clocks change during the meeting
        return f"{prefix}{clock(start)}{EN_DASH}{clock(end)}"
    return f"{prefix}{start:%H:%M}{EN_DASH}{end:%H:%M} {start.tzname()}"


def moved(
    before: tuple[datetime, datetime], after: tuple[datetime, datetime], locale: str = "en"
) -> str:
    """A move from one time to another: "Wed 10 Mar 2027, 09:00-12:00 → 10:00-13:00 EST"
    a change of day shows both days."""
    old, new = span(*before, locale=locale), span(*after, locale=locale)
    if _plain(*before) and _plain(*after) and before[0].date() == after[0].date():
        # One day, one zone: the day and the zone are said once.
        old = old.removesuffix(f" {before[0].tzname()}")
        new = span(*after, locale=locale, with_day=False)
    return f"{old} {ARROW} {new}"


def _plain(start: datetime, end: datetime) -> bool:
    return start.date() == end.date() and start.tzname() == end.tzname()


def same_clock(one: datetime, other: datetime) -> bool:
    """Tell whether two instants read the same on the wall (offset and zone name)."""
    return one.utcoffset() == other.utcoffset() and one.tzname() == other.tzname()


@lru_cache(maxsize=256)
def zone(tzid: str | None) -> ZoneInfo | None:
    """The IANA zone of this name, or None when it is unknown or unset."""
    try:
        return ZoneInfo(tzid) if tzid else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
