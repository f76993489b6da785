"""Controls of the cross-parser interop tests: the checks can fail.

icalendar's own multi-value RDATE VTIMEZONE is misread by ical.js and vobject, and libical's
restriction check reports what RFC 5546 forbids.
"""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from services.notifier.rendering.ical import build_calendar
from tests.integration.test_notifier_interop import (
    event,
    icaljs_readings,
    read_libical,
    vobject_readings,
)


def test_control_multi_value_rdate_vtimezone_is_misread(tmp_path: Path) -> None:
    """The check above can fail: icalendar's own comma-separated RDATE VTIMEZONE puts a July
    meeting in Chicago an hour off in ical.js and vobject."""
    chicago = ZoneInfo("America/Chicago")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cohort//control//EN")
    calendar.add("version", "2.0")
    vevent = icalendar.Event()
    vevent.add("uid", "control@c.test")
    vevent.add("dtstamp", datetime(2027, 1, 1, tzinfo=UTC))
    vevent.add("dtstart", datetime(2027, 7, 15, 9, tzinfo=chicago))
    vevent.add("dtend", datetime(2027, 7, 15, 12, tzinfo=chicago))
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    text = calendar.to_ical().decode()
    if not any(line.startswith("RDATE:") and "," in line for line in text.splitlines()):
        pytest.skip("this icalendar no longer writes multi-value RDATE lines")
    path = tmp_path / "control.ics"
    path.write_text(text, encoding="utf-8", newline="")
    intended = (int(datetime(2027, 7, 15, 14, tzinfo=UTC).timestamp()),) * 1
    misread = {
        name: reading[str(path)]["control@c.test"][0]
        for name, reading in (
            ("vobject", vobject_readings([str(path)])),
            ("ical.js", icaljs_readings([str(path)])),
        )
        if reading[str(path)]["control@c.test"][0] != intended[0]
    }
    assert misread, "ical.js and vobject now read multi-value RDATEs; the workaround may go"


def test_control_libical_flags_what_rfc_5546_forbids(tmp_path: Path) -> None:
    """The restriction check is not vacuous: an ATTENDEE in PUBLISH and a REQUEST without
    ORGANIZER are reported."""
    chicago = ZoneInfo("America/Chicago")
    one = event(
        "America/Chicago",
        1,
        datetime(2027, 7, 15, 9, tzinfo=chicago),
        datetime(2027, 7, 15, 12, tzinfo=chicago),
    )
    request = build_calendar("REQUEST", [one]).replace("\r\n ", "")  # unfolded
    attendee = next(line for line in request.split("\r\n") if line.startswith("ATTENDEE"))
    publish = build_calendar("PUBLISH", [one]).replace("END:VEVENT", f"{attendee}\r\nEND:VEVENT")
    orphan = "\r\n".join(line for line in request.split("\r\n") if not line.startswith("ORGANIZER"))
    paths = []
    for name, text in (("publish-attendee", publish), ("request-no-organizer", orphan)):
        path = tmp_path / f"{name}.ics"
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(str(path))
    report = read_libical(paths)
    assert any("ATTENDEE" in error for error in report[paths[0]]["errors"])
    assert any("ORGANIZER" in error for error in report[paths[1]]["errors"])
