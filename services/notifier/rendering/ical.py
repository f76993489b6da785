"""iCalendar rendering of invites (iTIP REQUEST/CANCEL) and feeds (PUBLISH), RFC 5545/5546.

Content lines are assembled as text with icalendar's escaping and folding rules: building the
icalendar object model per message costs more than the whole rest of a message. VTIMEZONEs are
derived from zoneinfo as yearly RRULEs (one rule per line, as Google writes them) because
multi-value RDATE lines are misread by ical.js and vobject; each is rendered once per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import vText
from icalendar.parser import Contentline, dquote

from services.notifier.rendering.zones import Era, zone_eras

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]
PRODID = "-//Cohort//Notifier 1.0//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CONTROLS = {c: None for c in (*range(32), 127) if chr(c) not in "\t\n\r"}
_PARAM_CONTROLS = {c: " " for c in (*range(32), 127)}
_MAX_LINE = 74  # octets before the CRLF, one less than RFC 5545's 75 as icalendar does


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting as one recipient sees it in an invite or a feed."""

    uid: str
    sequence: int
    summary: str
    description: str
    starts_at: datetime  # aware, any zone; rendered in `timezone`
    ends_at: datetime
    timezone: str  # IANA zone of the meeting
    location: str | None = None
    url: str | None = None
    status: Literal["CONFIRMED", "CANCELLED"] = "CONFIRMED"
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str | None = None  # None for feeds (PUBLISH)
    attendee_name: str | None = None
    alarm_minutes_before: int | None = None  # VALARM on invites only
    dtstamp: datetime | None = None  # UTC; default now
    created: datetime | None = None
    last_modified: datetime | None = None
    private: bool = False  # CLASS:PRIVATE, so shared calendars show only "busy"


def meeting_uid(*, meeting_id: int, recipient_kind: str, recipient_id: int, domain: str) -> str:
    """The UID of one meeting's invite to one recipient; stable for the life of the booking."""
    return f"meeting-{meeting_id}-{recipient_kind}-{recipient_id}@{domain}"


def build_calendar(
    method: Method, events: Sequence[CalendarEvent], *, calendar_name: str | None = None
) -> str:
    """The VCALENDAR text (CRLF lines) of an invite (REQUEST/CANCEL, one event) or a feed."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(f"method: unsupported iTIP method {method!r}")
    if method != "PUBLISH" and len(events) != 1:
        raise ValueError(f"events: an iTIP {method} carries exactly one meeting")
    if len({event.uid for event in events}) != len(events):
        raise ValueError("events: one VEVENT per UID")
    now = datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if calendar_name:
        lines.append(_fold(f"X-WR-CALNAME:{_text(calendar_name)}"))
    for tzid, years in _zone_years(events).items():
        lines.append(vtimezone(tzid, min(years) - 1, max(years) + 1))
    for event in events:
        lines.extend(_vevent(method, event, now))
    lines.append("END:VCALENDAR\r\n")
    return "\r\n".join(lines)


def _zone_years(events: Iterable[CalendarEvent]) -> dict[str, set[int]]:
    zones: dict[str, set[int]] = {}
    for event in events:
        zone = _zone(event.timezone)
        years = zones.setdefault(event.timezone, set())
        years.update((event.starts_at.astimezone(zone).year, event.ends_at.astimezone(zone).year))
    return zones


@lru_cache(maxsize=256)
def _zone(tzid: str) -> ZoneInfo:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"timezone: unknown IANA zone {tzid!r}") from error


@lru_cache(maxsize=1024)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of `tzid` valid from `first_year` to `last_year`, rendered once per process."""
    _zone(tzid)
    eras = zone_eras(tzid, first_year, last_year)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for index, era in enumerate(eras):
        lines.extend(_era_lines(era, final=index == len(eras) - 1))
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines)


def _era_lines(era: Era, *, final: bool) -> list[str]:
    if era.kind == "fixed" and era.fixed:
        offset, name = era.fixed
        start = datetime(era.first_year, 1, 1)
        return _observance("STANDARD", start, offset, offset, name)
    if era.kind == "listed":
        return [
            line
            for change in era.firsts
            for line in _observance(
                "DAYLIGHT" if change.is_dst else "STANDARD",
                change.local_start,
                change.offset_from,
                change.offset_to,
                change.name,
            )
        ]
    lines: list[str] = []
    for rule, first, last in zip(era.rules, era.firsts, era.lasts, strict=True):
        rrule = f"FREQ=YEARLY;BYMONTH={rule.month};BYDAY={rule.week}{_WEEKDAYS[rule.weekday]}"
        if not final:  # a day past the last change: vobject and dateutil read UNTIL as wall time
            rrule += f";UNTIL={_utc(last.at_utc + timedelta(days=1))}"
        kind = "DAYLIGHT" if rule.is_dst else "STANDARD"
        observance = _observance(
            kind, first.local_start, rule.offset_from, rule.offset_to, rule.name
        )
        observance.insert(-1, f"RRULE:{rrule}")
        lines.extend(observance)
    return lines


def _observance(
    kind: str, start: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> list[str]:
    return [
        f"BEGIN:{kind}",
        _fold(f"TZNAME:{_text(name)}"),
        f"TZOFFSETFROM:{_offset(offset_from)}",
        f"TZOFFSETTO:{_offset(offset_to)}",
        f"DTSTART:{_local(start)}",
        f"END:{kind}",
    ]


def _vevent(method: Method, event: CalendarEvent, now: datetime) -> list[str]:
    # compared in UTC: Python compares datetimes sharing a tzinfo by wall time, ignoring fold
    if event.ends_at.astimezone(UTC) <= event.starts_at.astimezone(UTC):
        raise ValueError("ends_at: a meeting must end after it starts")
    if method == "REQUEST" and event.status == "CANCELLED":
        raise ValueError("status: a REQUEST never carries STATUS:CANCELLED; send a CANCEL")
    status = {"REQUEST": "CONFIRMED", "CANCEL": "CANCELLED"}.get(method, event.status)
    lines = [
        "BEGIN:VEVENT",
        _fold(f"UID:{_text(event.uid)}"),
        f"SEQUENCE:{int(event.sequence)}",
        f"DTSTAMP:{_utc(event.dtstamp or now)}",
        _when("DTSTART", event.starts_at, event.timezone),
        _when("DTEND", event.ends_at, event.timezone),
        _fold(f"SUMMARY:{_text(event.summary)}"),
    ]
    if event.description:
        lines.append(_fold(f"DESCRIPTION:{_text(event.description)}"))
    if event.location:
        lines.append(_fold(f"LOCATION:{_text(event.location)}"))
    url = _web_url(event.url)
    if url:
        lines.append(_fold(f"URL:{url}"))
    lines.append(f"STATUS:{status}")
    transparent = status == "CANCELLED" and method == "PUBLISH"
    lines.append("TRANSP:TRANSPARENT" if transparent else "TRANSP:OPAQUE")
    if event.private:
        lines.append("CLASS:PRIVATE")
    if event.created:
        lines.append(f"CREATED:{_utc(event.created)}")
    if event.last_modified:
        lines.append(f"LAST-MODIFIED:{_utc(event.last_modified)}")
    lines.append(_person("ORGANIZER", event.organizer_email, event.organizer_name, ""))
    if method != "PUBLISH":  # RFC 5546 forbids ATTENDEE in PUBLISH
        if not event.attendee_email:
            raise ValueError(f"attendee_email: an iTIP {method} names its one attendee")
        # RSVP=FALSE: Cohort takes no iTIP REPLY; places are kept or given up in Cohort itself
        attendee = ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE;CUTYPE=INDIVIDUAL"
        lines.append(_person("ATTENDEE", event.attendee_email, event.attendee_name, attendee))
    if method == "REQUEST" and event.alarm_minutes_before is not None:
        lines.extend(_valarm(event.alarm_minutes_before, event.summary))
    lines.append("END:VEVENT")
    return lines


def _valarm(minutes: int, summary: str) -> list[str]:
    if minutes < 0:
        raise ValueError("alarm_minutes_before: must not be negative")
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"TRIGGER:-PT{int(minutes)}M",
        _fold(f"DESCRIPTION:{_text(f'Reminder: {summary}')}"),
        "END:VALARM",
    ]


def _when(name: str, moment: datetime, tzid: str) -> str:
    """DATE-TIME as wall time in the meeting's zone, or in UTC inside a repeated hour: RFC 5545
    reads an ambiguous wall time as its first pass, but ical.js and libical read the second."""
    if moment.tzinfo is None:
        raise ValueError(f"{name.lower()}: needs an aware datetime")
    local = moment.astimezone(_zone(tzid))
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return f"{name}:{_utc(moment)}"
    return f"{name};TZID={tzid}:{_local(local)}"


def _person(name: str, email: str | None, display: str | None, params: str) -> str:
    address = (email or "").strip()
    if not address or "@" not in address or any(c in address for c in ' \t\r\n<>"\\,;:'):
        raise ValueError(f"{name.lower()}_email: not a usable mail address: {address!r}")
    cn = (display or "").translate(_PARAM_CONTROLS).strip()
    label = f";CN={dquote(cn)}" if cn else ""  # dquote turns '"' into "'"; no RFC 6868 escapes
    return _fold(f"{name}{label}{params}:mailto:{address}")


def _web_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) address; anything else is left out of the object."""
    if not url:
        return None
    candidate = url.strip()
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or ord(c) < 32 or c in '"<>\\^`{|}' for c in candidate):
        return None
    return candidate


def _text(value: str) -> str:
    return vText(value.translate(_CONTROLS)).to_ical().decode("utf-8")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets; plain ASCII takes a fast path."""
    if len(line) <= _MAX_LINE and line.isascii():
        return line
    if not line.isascii():
        return Contentline(line).to_ical().decode("utf-8")
    parts = []
    while len(line) > _MAX_LINE:
        cut = _MAX_LINE - 1 if line[_MAX_LINE - 1] == "\\" else _MAX_LINE  # keep escapes whole
        parts.append(line[:cut])
        line = line[cut:]
    parts.append(line)
    return "\r\n ".join(parts)


def _local(moment: datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be aware datetimes")
    return _local(moment.astimezone(UTC)) + "Z"


def _offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")
