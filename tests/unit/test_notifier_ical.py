"""iCalendar objects of invites and feeds: properties per iTIP method, escaping, VTIMEZONEs."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.rendering.ical import CalendarEvent, build_calendar, meeting_uid, vtimezone

CHICAGO = ZoneInfo("America/Chicago")
SUMMARY = "Formación: Éducation inclusive — 多様性"


def invite(**changes: object) -> CalendarEvent:
    """A July meeting in Chicago as one educator's invite."""
    event = CalendarEvent(
        uid=meeting_uid(meeting_id=12, recipient_kind="educator", recipient_id=34, domain="c.test"),
        sequence=0,
        summary=SUMMARY,
        description="Bring a lesson plan; we adapt it together.\nSecond line, with a comma.",
        starts_at=datetime(2027, 7, 15, 9, tzinfo=CHICAGO),
        ends_at=datetime(2027, 7, 15, 12, tzinfo=CHICAGO),
        timezone="America/Chicago",
        location="Lincoln Hall, Room 4",
        url="https://meet.example.org/j/12",
        organizer_email="noreply@c.test",
        organizer_name="Illinois Education Association",
        attendee_email="zoe@example.org",
        attendee_name="Zoë Ñúñez",
        alarm_minutes_before=30,
        dtstamp=datetime(2027, 6, 1, 12, 30, tzinfo=UTC),
    )
    return replace(event, **changes)  # type: ignore[arg-type]


def parse(text: str) -> icalendar.Calendar:
    """Parse back with icalendar (strict about the structure)."""
    return icalendar.Calendar.from_ical(text)


def vevents(text: str) -> list[icalendar.Event]:
    """The VEVENTs of an object."""
    return parse(text).events


def test_meeting_uid_is_stable_and_distinct_per_recipient() -> None:
    one = meeting_uid(meeting_id=5, recipient_kind="educator", recipient_id=9, domain="c.test")
    assert one == meeting_uid(
        meeting_id=5, recipient_kind="educator", recipient_id=9, domain="c.test"
    )
    assert one != meeting_uid(
        meeting_id=5, recipient_kind="facilitator", recipient_id=9, domain="c.test"
    )
    assert one != meeting_uid(
        meeting_id=6, recipient_kind="educator", recipient_id=9, domain="c.test"
    )
    assert one.endswith("@c.test")


def test_calendar_has_prodid_version_method_and_crlf_lines() -> None:
    text = build_calendar("REQUEST", [invite()])
    calendar = parse(text)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "REQUEST"
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_request_has_every_property_rfc_5546_requires() -> None:
    text = build_calendar("REQUEST", [invite(sequence=3)])
    (event,) = vevents(text)
    for name in ("DTSTAMP", "DTSTART", "DTEND", "ORGANIZER", "SUMMARY", "UID", "SEQUENCE"):
        assert name in event, name
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 3
    assert event.decoded("DTSTAMP") == datetime(2027, 6, 1, 12, 30, tzinfo=UTC)
    assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z\r$", text, re.M)
    organizer = event["ORGANIZER"]
    assert organizer == "mailto:noreply@c.test"
    assert organizer.params["CN"] == "Illinois Education Association"


def test_request_names_exactly_one_attendee_who_needs_to_act() -> None:
    (event,) = vevents(build_calendar("REQUEST", [invite()]))
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert attendee == "mailto:zoe@example.org"
    assert attendee.params["CN"] == "Zoë Ñúñez"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "FALSE"


def test_request_alarm_is_a_display_alarm_before_the_start() -> None:
    (event,) = vevents(build_calendar("REQUEST", [invite(alarm_minutes_before=45)]))
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-45)
    assert alarm["DESCRIPTION"] == f"Reminder: {SUMMARY}"
    (plain,) = vevents(build_calendar("REQUEST", [invite(alarm_minutes_before=None)]))
    assert not plain.walk("VALARM")


def test_request_never_carries_status_cancelled() -> None:
    with pytest.raises(ValueError, match="REQUEST never carries STATUS:CANCELLED"):
        build_calendar("REQUEST", [invite(status="CANCELLED")])
    assert "STATUS:CANCELLED" not in build_calendar("REQUEST", [invite()])


def test_cancel_keeps_uid_and_sequence_names_the_attendee_and_has_no_alarm() -> None:
    text = build_calendar("CANCEL", [invite(sequence=4, alarm_minutes_before=30)])
    assert parse(text)["METHOD"] == "CANCEL"
    (event,) = vevents(text)
    assert event["UID"] == invite().uid
    assert event["SEQUENCE"] == 4
    assert event["STATUS"] == "CANCELLED"
    assert event["ATTENDEE"] == "mailto:zoe@example.org"
    assert event["ORGANIZER"] == "mailto:noreply@c.test"
    assert "BEGIN:VALARM" not in text


def test_publish_feed_has_no_attendee_and_keeps_cancelled_meetings() -> None:
    confirmed = invite()
    cancelled = invite(
        uid="meeting-13-educator-34@c.test",
        status="CANCELLED",
        starts_at=datetime(2027, 7, 22, 9, tzinfo=CHICAGO),
        ends_at=datetime(2027, 7, 22, 12, tzinfo=CHICAGO),
    )
    text = build_calendar("PUBLISH", [confirmed, cancelled], calendar_name="Zoë's sessions")
    calendar = parse(text)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Zoë's sessions"
    assert "ATTENDEE" not in text
    assert "BEGIN:VALARM" not in text
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses == {confirmed.uid: "CONFIRMED", cancelled.uid: "CANCELLED"}
    assert all("ORGANIZER" in e for e in calendar.walk("VEVENT"))


def test_invites_carry_one_meeting_and_feeds_one_vevent_per_uid() -> None:
    with pytest.raises(ValueError, match="exactly one meeting"):
        build_calendar("REQUEST", [invite(), invite(uid="other@c.test")])
    with pytest.raises(ValueError, match="one VEVENT per UID"):
        build_calendar("PUBLISH", [invite(), invite()])
    with pytest.raises(ValueError, match="names its one attendee"):
        build_calendar("CANCEL", [invite(attendee_email=None)])
    with pytest.raises(ValueError, match="organizer_email"):
        build_calendar("PUBLISH", [invite(organizer_email="")])
    with pytest.raises(ValueError, match="method"):
        build_calendar("REPLY", [invite()])  # type: ignore[arg-type]


def test_empty_feed_is_still_a_calendar() -> None:
    calendar = parse(build_calendar("PUBLISH", []))
    assert calendar["METHOD"] == "PUBLISH"
    assert not calendar.walk("VEVENT")


def test_times_are_wall_times_in_the_meeting_zone_whatever_zone_they_come_in() -> None:
    starts = datetime(2027, 7, 15, 14, tzinfo=UTC)  # 09:00 CDT
    text = build_calendar(
        "REQUEST", [invite(starts_at=starts, ends_at=starts + timedelta(hours=3))]
    )
    assert "DTSTART;TZID=America/Chicago:20270715T090000\r\n" in text
    assert "DTEND;TZID=America/Chicago:20270715T120000\r\n" in text
    (event,) = vevents(text)
    assert event.decoded("DTSTART") == starts


def test_one_vtimezone_for_every_tzid_used() -> None:
    denver = ZoneInfo("America/Denver")
    other = invite(
        uid="meeting-14-educator-34@c.test",
        timezone="America/Denver",
        starts_at=datetime(2027, 3, 15, 9, tzinfo=denver),
        ends_at=datetime(2027, 3, 15, 10, tzinfo=denver),
    )
    text = build_calendar("PUBLISH", [invite(), other, replace(other, uid="x@c.test")])
    zones = [str(tz["TZID"]) for tz in parse(text).walk("VTIMEZONE")]
    assert sorted(zones) == ["America/Chicago", "America/Denver"]
    used = set(re.findall(r"TZID=([^:;]+)", text))
    assert used == set(zones)


def test_vtimezone_uses_yearly_rules_one_value_per_line() -> None:
    text = build_calendar("REQUEST", [invite()])
    block = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in block
    assert "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" in block
    assert not re.search(r"^RDATE:.*,", block, re.M)
    assert block.count("BEGIN:DAYLIGHT") == 1
    assert block.count("BEGIN:STANDARD") == 1


@pytest.mark.parametrize("zone", ["America/Phoenix", "Pacific/Honolulu"])
def test_zone_without_dst_gets_a_single_standard(zone: str) -> None:
    tz = ZoneInfo(zone)
    event = invite(
        timezone=zone,
        starts_at=datetime(2027, 7, 15, 9, tzinfo=tz),
        ends_at=datetime(2027, 7, 15, 12, tzinfo=tz),
    )
    text = build_calendar("REQUEST", [event])
    (component,) = parse(text).walk("VTIMEZONE")
    assert [sub.name for sub in component.subcomponents] == ["STANDARD"]
    standard = component.subcomponents[0]
    assert standard["TZOFFSETFROM"].to_ical() == standard["TZOFFSETTO"].to_ical()
    assert "RRULE" not in standard


def test_vtimezone_is_rendered_once_per_zone_and_years() -> None:
    build_calendar("REQUEST", [invite()])
    before = vtimezone.cache_info()
    for number in range(50):
        build_calendar("REQUEST", [invite(uid=f"u{number}@c.test", sequence=number)])
    after = vtimezone.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 50


def test_non_ascii_and_special_characters_survive() -> None:
    description = "Línea 1; con coma, y barra \\ final\nLigne 2 — 多様性 " + "é" * 80
    text = build_calendar(
        "REQUEST",
        [invite(description=description, attendee_name='Zoë "Z" Ñúñez; Jr.', location="A, B; C")],
    )
    (event,) = vevents(text)
    assert event["SUMMARY"] == SUMMARY
    assert event["DESCRIPTION"] == description
    assert event["LOCATION"] == "A, B; C"
    assert event["ATTENDEE"].params["CN"] == "Zoë 'Z' Ñúñez; Jr."
    text.encode("utf-8")


def test_control_characters_cannot_break_content_lines() -> None:
    event = invite(summary="Evil\r\nATTENDEE:mailto:x@y", attendee_name="Ann\r\nX-EVIL:1")
    text = build_calendar("REQUEST", [event])
    assert "\r\nATTENDEE:mailto:x@y" not in text
    assert "\r\nX-EVIL" not in text
    (parsed,) = vevents(text)
    assert not isinstance(parsed["ATTENDEE"], list)
    with pytest.raises(ValueError, match="attendee_email"):
        build_calendar("REQUEST", [invite(attendee_email="a@b\r\nX:1")])


def test_only_web_urls_are_kept() -> None:
    assert "URL:https://meet.example.org/j/12" in build_calendar("REQUEST", [invite()])
    assert "\r\nURL:" not in build_calendar("REQUEST", [invite(url="javascript:alert(1)")])


def test_private_meetings_are_marked_private() -> None:
    assert "CLASS:PRIVATE" in build_calendar("REQUEST", [invite(private=True)])
    assert "CLASS:" not in build_calendar("REQUEST", [invite()])


def test_meeting_must_end_after_it_starts_and_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="ends_at"):
        build_calendar("REQUEST", [invite(ends_at=invite().starts_at)])
    with pytest.raises(ValueError, match="aware"):
        build_calendar("REQUEST", [invite(dtstamp=datetime(2027, 1, 1))])
    with pytest.raises(ValueError, match="timezone"):
        build_calendar("REQUEST", [invite(timezone="Mars/Olympus")])


def test_created_and_last_modified_are_utc() -> None:
    moment = datetime(2027, 5, 1, 8, tzinfo=CHICAGO)
    text = build_calendar("REQUEST", [invite(created=moment, last_modified=moment)])
    assert "CREATED:20270501T130000Z" in text
    assert "LAST-MODIFIED:20270501T130000Z" in text


@settings(max_examples=60, deadline=None)
@given(
    summary=st.text(st.characters(codec="utf-8"), max_size=120),
    name=st.text(st.characters(codec="utf-8"), max_size=60),
)
def test_any_text_parses_back_in_one_piece(summary: str, name: str) -> None:
    text = build_calendar("REQUEST", [invite(summary=summary, attendee_name=name)])
    (event,) = vevents(text)
    controls = {c for c in summary if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127}
    expected = "".join(c for c in summary if c not in controls).replace("\r\n", "\n")
    assert str(event["SUMMARY"]) == expected.replace("\r", "\n")
    assert event["ATTENDEE"] == "mailto:zoe@example.org"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
