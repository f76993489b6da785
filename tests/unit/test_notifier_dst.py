"""DST golden tests: invites keep the offering's wall-clock time; reminders count elapsed time."""

# ruff: noqa: RUF001, RUF002 - en dashes between times are the expected text

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.rendering.content import MeetingView, meeting_when
from services.notifier.rendering.ical import CalendarEvent, build_calendar
from services.notifier.rendering.zones import reminder_instant, zone_eras
from tests.support.factories import US_ZONES

ZONES = list(US_ZONES)
DAYS = [date(2027, 3, d) for d in (13, 14, 15)] + [date(2027, 11, d) for d in (6, 7, 8)]
# 09:00 local on each day, as UTC: (before spring forward, on, after, before fall back, on, after)
NINE_AM_UTC_HOUR = {
    "America/New_York": (14, 13, 13, 13, 14, 14),
    "America/Chicago": (15, 14, 14, 14, 15, 15),
    "America/Denver": (16, 15, 15, 15, 16, 16),
    "America/Phoenix": (16, 16, 16, 16, 16, 16),
    "America/Los_Angeles": (17, 16, 16, 16, 17, 17),
    "America/Anchorage": (18, 17, 17, 17, 18, 18),
    "Pacific/Honolulu": (19, 19, 19, 19, 19, 19),
}


def offering_meeting(zone: str, day: date) -> CalendarEvent:
    """A 09:00–12:00 meeting entered in the offering's zone."""
    tz = ZoneInfo(zone)
    return CalendarEvent(
        uid=f"meeting-{day:%m%d}-{zone.replace('/', '-')}@c.test",
        sequence=1,
        summary="Classroom practice",
        description="",
        starts_at=datetime.combine(day, datetime.min.time(), tz).replace(hour=9),
        ends_at=datetime.combine(day, datetime.min.time(), tz).replace(hour=12),
        timezone=zone,
        organizer_email="noreply@c.test",
        attendee_email="ann@example.org",
    )


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("index", range(len(DAYS)), ids=[f"{d:%m-%d}" for d in DAYS])
def test_invite_keeps_the_offering_wall_clock_time(zone: str, index: int) -> None:
    day = DAYS[index]
    event = offering_meeting(zone, day)
    text = build_calendar("REQUEST", [event])
    assert f"DTSTART;TZID={zone}:{day:%Y%m%d}T090000\r\n" in text
    assert f"DTEND;TZID={zone}:{day:%Y%m%d}T120000\r\n" in text
    utc_start = datetime.combine(day, datetime.min.time(), UTC).replace(
        hour=NINE_AM_UTC_HOUR[zone][index]
    )
    assert event.starts_at == utc_start
    vtimezone = icalendar.Calendar.from_ical(text).timezones[0]
    from_vtimezone = vtimezone.to_tz(lookup_tzid=False)  # our rules, not the system's zone
    wall = datetime.combine(day, datetime.min.time()).replace(hour=9, tzinfo=from_vtimezone)
    assert wall == utc_start


NEW_YORK_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nTZNAME:EDT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"
    "DTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZNAME:EST\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
    "DTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)
PHOENIX_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:America/Phoenix\r\n"
    "BEGIN:STANDARD\r\nTZNAME:MST\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0700\r\n"
    "DTSTART:19700101T000000\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


@pytest.mark.parametrize(
    ("zone", "golden"),
    [("America/New_York", NEW_YORK_VTIMEZONE), ("America/Phoenix", PHOENIX_VTIMEZONE)],
)
def test_vtimezone_golden(zone: str, golden: str) -> None:
    assert golden in build_calendar("REQUEST", [offering_meeting(zone, date(2027, 3, 14))])


def test_rule_change_years_get_bounded_rules() -> None:
    eras = zone_eras("America/Chicago", 2005, 2008)
    assert [(era.first_year, era.last_year) for era in eras] == [(1987, 2006), (2007, 2008)]
    text = build_calendar(
        "PUBLISH",
        [
            offering_meeting("America/Chicago", date(2006, 4, 10)),
            offering_meeting("America/Chicago", date(2007, 3, 20)),
        ],
    )
    assert "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060403T080000Z" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n" in text
    calendar = icalendar.Calendar.from_ical(text)
    tz = calendar.timezones[0].to_tz(lookup_tzid=False)
    assert datetime(2006, 3, 20, 9, tzinfo=tz).utcoffset() == timedelta(hours=-6)
    assert datetime(2007, 3, 20, 9, tzinfo=tz).utcoffset() == timedelta(hours=-5)


def test_repeated_hour_is_written_in_utc() -> None:
    tz = ZoneInfo("America/New_York")
    first = datetime(2027, 11, 7, 1, 30, tzinfo=tz)
    second = first.replace(fold=1)
    event = offering_meeting("America/New_York", date(2027, 11, 7))
    text = build_calendar(
        "REQUEST", [CalendarEvent(**{**event.__dict__, "starts_at": first, "ends_at": second})]
    )
    assert "DTSTART:20271107T053000Z\r\n" in text
    assert "DTEND:20271107T063000Z\r\n" in text


@pytest.mark.parametrize(
    ("zone", "day", "recipient", "expected"),
    [
        (
            "America/New_York",
            date(2027, 3, 13),
            "America/Phoenix",
            "Sat 13 Mar 2027, 09:00–12:00 EST (America/New_York) — 07:00–10:00 MST your time",
        ),
        (
            "America/New_York",
            date(2027, 3, 14),
            "America/Phoenix",
            "Sun 14 Mar 2027, 09:00–12:00 EDT (America/New_York) — 06:00–09:00 MST your time",
        ),
        (
            "Pacific/Honolulu",
            date(2027, 11, 7),
            "America/Anchorage",
            "Sun 7 Nov 2027, 09:00–12:00 HST (Pacific/Honolulu) — 10:00–13:00 AKST your time",
        ),
        (
            "America/Chicago",
            date(2027, 11, 6),
            "America/Chicago",
            "Sat 6 Nov 2027, 09:00–12:00 CDT (America/Chicago)",
        ),
    ],
)
def test_message_shows_meeting_and_recipient_time(
    zone: str, day: date, recipient: str, expected: str
) -> None:
    event = offering_meeting(zone, day)
    view = MeetingView(event.starts_at, event.ends_at, zone)
    assert meeting_when(view, recipient) == expected


def test_day_before_reminder_counts_elapsed_hours_across_spring_forward() -> None:
    meeting = datetime(2027, 3, 14, 9, tzinfo=ZoneInfo("America/New_York"))  # 13:00Z, EDT
    reminder = reminder_instant(meeting, timedelta(hours=24))
    assert reminder == datetime(2027, 3, 13, 13, tzinfo=UTC)
    assert reminder.tzinfo is UTC
    assert reminder.astimezone(ZoneInfo("America/New_York")).hour == 8  # 08:00 EST the day before
    naive_wall_clock = meeting - timedelta(hours=24)  # what Python's aware arithmetic gives
    assert naive_wall_clock.astimezone(UTC) != reminder


def test_day_before_reminder_counts_elapsed_hours_across_fall_back() -> None:
    meeting = datetime(2027, 11, 7, 9, tzinfo=ZoneInfo("America/Chicago"))  # 15:00Z, CST
    reminder = reminder_instant(meeting, timedelta(hours=24))
    assert reminder == datetime(2027, 11, 6, 15, tzinfo=UTC)
    assert reminder.astimezone(ZoneInfo("America/Chicago")).hour == 10  # 10:00 CDT


def test_reminder_in_a_zone_without_dst_is_the_same_wall_time() -> None:
    meeting = datetime(2027, 3, 14, 9, tzinfo=ZoneInfo("America/Phoenix"))
    reminder = reminder_instant(meeting, timedelta(hours=24))
    assert reminder.astimezone(ZoneInfo("America/Phoenix")) == meeting - timedelta(days=1)


def test_reminder_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        reminder_instant(datetime(2027, 3, 14, 9), timedelta(hours=1))


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2029, 1, 1)),
    minutes=st.integers(min_value=0, max_value=14 * 24 * 60),
)
def test_reminder_is_exactly_the_offset_before_in_elapsed_time(
    zone: str, moment: datetime, minutes: int
) -> None:
    start = moment.replace(tzinfo=ZoneInfo(zone))
    reminder = reminder_instant(start, timedelta(minutes=minutes))
    assert reminder.tzinfo is UTC
    assert start.astimezone(UTC) - reminder == timedelta(minutes=minutes)
    assert start.timestamp() - reminder.timestamp() == minutes * 60
