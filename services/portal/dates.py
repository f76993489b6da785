"""Times as people read them: in a zone they name, in the page's language (Babel)."""

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_timezone_location
from babel.numbers import format_decimal


@dataclass(frozen=True)
class Span:
    """A meeting as read in one zone: its day and its start and end times."""

    day: str
    starts: str
    ends: str
    starts_at: str


def zone_of(name: str | None) -> ZoneInfo | None:
    """The zone an IANA name names; None for none or an unknown one."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def instant(value: str) -> datetime:
    """An ISO 8601 instant from an API answer (it carries its offset)."""
    return datetime.fromisoformat(value)


@lru_cache(maxsize=4096)
def _full_day(day: date, language: str) -> str:
    # Babel looks up the locale and reads its pattern on every call; a catalogue page writes
    # ten days, mostly the same few, so each day is written once per language and process.
    return format_date(day, format="full", locale=language)


def day_in(value: str, zone: ZoneInfo, language: str) -> str:
    """The day of an instant in `zone`, written out in `language`."""
    return _full_day(instant(value).astimezone(zone).date(), language)


def span_in(starts_at: str, ends_at: str, zone: ZoneInfo, language: str) -> Span:
    """A meeting's day, start and end in `zone`, in `language`."""
    start, end = instant(starts_at).astimezone(zone), instant(ends_at).astimezone(zone)
    return Span(
        day=format_date(start, format="full", locale=language),
        starts=format_time(start, format="short", locale=language),
        ends=format_time(end, format="short", locale=language),
        starts_at=start.isoformat(),
    )


def zone_name(zone: ZoneInfo, language: str) -> str:
    """How a zone is called in `language`, e.g. "Chicago (United States) Time"."""
    return get_timezone_location(zone, locale=language)


def start_of(day: date, zone: ZoneInfo) -> str:
    """Midnight at the start of `day` in `zone`, as an instant with its offset."""
    return datetime.combine(day, time(), tzinfo=zone).isoformat()


def long_day(value: str, language: str) -> str:
    """An ISO date ("2026-11-03") written out in the language ("November 3, 2026")."""
    try:
        return format_date(date.fromisoformat(value), format="long", locale=language)
    except (TypeError, ValueError):
        return value


def number(value: object, language: str) -> str:
    """A count such as PD hours as the language writes it ("7.5", "7,5")."""
    try:
        return format_decimal(float(str(value)), format="#,##0.##", locale=language)
    except ValueError:
        return str(value)
