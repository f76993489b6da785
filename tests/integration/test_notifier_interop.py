"""Cross-parser interop: icalendar, vobject, Mozilla's ical.js and libical read every invite and
feed at the same UTC instants, and libical's RFC 5546 restriction checks find nothing.

ical.js runs under node (tests/interop/icaljs_times.mjs); libical through GObject introspection
under the system Python when the venv cannot import gi (tests/interop/libical_check.py).
`tests/interop/setup.sh` installs both. With CI=true a missing tool fails the test.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from services.notifier.rendering.ical import CalendarEvent, build_calendar, meeting_uid
from tests.support.factories import US_ZONES

INTEROP = Path(__file__).resolve().parents[1] / "interop"
IN_CI = os.environ.get("CI") == "true"
ZONES = list(US_ZONES)
# Rule changes (bounded yearly rules, then a fixed offset), other hemispheres and odd offsets.
WORLD = [
    ("America/Chicago", datetime(2006, 4, 10, 9)),  # the pre-2007 US rule, ended by UNTIL
    ("America/Chicago", datetime(2006, 10, 30, 9)),
    ("America/Chicago", datetime(2007, 3, 20, 9)),
    ("America/Mexico_City", datetime(2022, 7, 1, 9)),  # DST abolished in October 2022
    ("America/Mexico_City", datetime(2023, 7, 1, 9)),
    ("Asia/Jerusalem", datetime(2027, 3, 30, 9)),  # last Friday in 2027, 4th Friday in 2028
    ("Asia/Jerusalem", datetime(2028, 3, 27, 9)),
    ("Europe/Paris", datetime(2027, 3, 29, 9)),
    ("Australia/Sydney", datetime(2027, 4, 5, 9)),
    ("America/St_Johns", datetime(2027, 11, 8, 9)),
    ("Asia/Kolkata", datetime(2027, 11, 8, 9)),
]
Readings = dict[str, dict[str, tuple[int, int]]]  # file -> uid -> (start, end) epoch seconds


@dataclass(frozen=True)
class Written:
    """The objects written for the parsers, and what each should read."""

    files: dict[str, str]  # path -> method
    expected: Readings


def zone_meetings(zone: str) -> list[tuple[datetime, datetime]]:
    """Meetings on and around both 2027 clock changes, through them, and in July."""
    tz = ZoneInfo(zone)
    days = [date(2027, 3, d) for d in (13, 14, 15)] + [date(2027, 11, d) for d in (6, 7, 8)]

    def at(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz, fold=fold)

    meetings = [(at(day, 9), at(day, 12)) for day in days]
    meetings += [
        (at(date(2027, 3, 14), 0, 30), at(date(2027, 3, 14), 4)),  # across the gap
        (at(date(2027, 11, 7), 0, 30), at(date(2027, 11, 7), 3)),  # across the repeated hour
        (at(date(2027, 11, 7), 1, 15), at(date(2027, 11, 7), 1, 45, fold=1)),  # inside it
        (at(date(2027, 7, 15), 9), at(date(2027, 7, 15), 12)),
        (at(date(2027, 1, 5), 18), at(date(2027, 1, 5), 20)),
    ]
    start = datetime(2027, 3, 14, 18, tzinfo=UTC)  # given in UTC, shown in the zone
    meetings.append((start, start + timedelta(hours=2)))
    return meetings


def event(
    zone: str, number: int, starts: datetime, ends: datetime, **extra: object
) -> CalendarEvent:
    """One meeting's event with non-ASCII text, as an educator's invite."""
    base = CalendarEvent(
        uid=meeting_uid(
            meeting_id=number, recipient_kind="educator", recipient_id=7, domain="c.test"
        ),
        sequence=0,
        summary="Formación: Éducation inclusive — 多様性",
        description="Bring a lesson plan; we adapt it together, step by step.",
        starts_at=starts,
        ends_at=ends,
        timezone=zone,
        location="Lincoln Hall, Room 4",
        url="https://meet.example.org/j/1",
        organizer_email="noreply@c.test",
        organizer_name="Education Association",
        attendee_email="zoe@example.org",
        attendee_name="Zoë Ñúñez",
        alarm_minutes_before=15,
    )
    return replace(base, **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    """REQUEST and CANCEL for every meeting, a PUBLISH feed per zone and one for all zones."""
    folder = tmp_path_factory.mktemp("interop")
    files: dict[str, str] = {}
    expected: Readings = {}
    feed_all: list[CalendarEvent] = []

    def write(name: str, method: str, events: list[CalendarEvent]) -> None:
        path = folder / f"{name}.ics"
        path.write_text(build_calendar(method, events), encoding="utf-8", newline="")  # type: ignore[arg-type]
        files[str(path)] = method
        expected[str(path)] = {
            e.uid: (int(e.starts_at.timestamp()), int(e.ends_at.timestamp())) for e in events
        }

    number = 0
    for zone in ZONES:
        feed: list[CalendarEvent] = []
        for starts, ends in zone_meetings(zone):
            number += 1
            one = event(zone, number, starts, ends)
            write(f"request-{number}", "REQUEST", [one])
            write(f"cancel-{number}", "CANCEL", [event(zone, number, starts, ends, sequence=1)])
            feed.append(
                event(zone, number, starts, ends, status="CANCELLED" if number % 3 else "CONFIRMED")
            )
        write(f"publish-{zone.replace('/', '-')}", "PUBLISH", feed)
        feed_all.extend(feed)
    write("publish-all-zones", "PUBLISH", feed_all)
    world: list[CalendarEvent] = []
    for zone, local in WORLD:
        number += 1
        starts = local.replace(tzinfo=ZoneInfo(zone))
        world.append(event(zone, number, starts, starts + timedelta(hours=2)))
        write(f"request-{number}", "REQUEST", [world[-1]])
    write("publish-world", "PUBLISH", world)
    return Written(files, expected)


def require(available: bool, reason: str) -> None:
    """Skip without the tool, except in CI where every parser must run."""
    if not available:
        if IN_CI:
            pytest.fail(f"{reason}; run tests/interop/setup.sh (CI=true needs every parser)")
        pytest.skip(f"{reason}; run tests/interop/setup.sh")


def libical_python() -> str | None:
    """A Python that can import libical's GObject bindings: the venv's or Debian's."""
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    for python in (sys.executable, "/usr/bin/python3"):
        if Path(python).exists():
            done = subprocess.run([python, "-c", probe], capture_output=True, check=False)
            if done.returncode == 0:
                return python
    return None


def run_json(argv: list[str]) -> dict:
    """Run a reader script and parse its JSON report."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_icaljs(paths: list[str]) -> dict:
    """ical.js's view of each file."""
    require(shutil.which("node") is not None, "node is not installed")
    require((INTEROP / "node_modules" / "ical.js").is_dir(), "npm package ical.js is missing")
    return run_json(["node", str(INTEROP / "icaljs_times.mjs"), *paths])


def read_libical(paths: list[str]) -> dict:
    """libical's view of each file (instants and X-LIC-ERRORs)."""
    python = libical_python()
    require(python is not None, "libical GObject bindings (gir1.2-ical-3.0, python3-gi) missing")
    return run_json([str(python), str(INTEROP / "libical_check.py"), *paths])


def icalendar_readings(paths: list[str], *, own_vtimezone: bool) -> Readings:
    """icalendar's instants: with its zoneinfo lookup, or with the file's VTIMEZONE rules."""
    out: Readings = {}
    for path in paths:
        calendar = icalendar.Calendar.from_ical(Path(path).read_text(encoding="utf-8"))
        zones = {str(c["TZID"]): c.to_tz(lookup_tzid=False) for c in calendar.timezones}

        def instant(prop: Any, zones: dict = zones) -> int:
            moment = prop.dt
            tzid = prop.params.get("TZID")
            if own_vtimezone and tzid:
                moment = moment.replace(tzinfo=zones[tzid])
            return int(moment.timestamp())

        out[path] = {
            str(e["UID"]): (instant(e["DTSTART"]), instant(e["DTEND"])) for e in calendar.events
        }
    return out


def vobject_readings(paths: list[str]) -> Readings:
    """vobject's instants (it builds its tzinfo from the file's VTIMEZONE).

    vobject keeps the first VTIMEZONE it meets per TZID for the rest of the process, so each
    file is read as by a fresh reader: the registry is emptied (but for UTC) in between.
    """
    registry = vars(vobject.icalendar)["__tzidMap"]
    out: Readings = {}
    for path in paths:
        for tzid in [tzid for tzid in registry if tzid != "UTC"]:
            del registry[tzid]
        calendar = vobject.readOne(Path(path).read_text(encoding="utf-8"))
        out[path] = {
            e.uid.value: (int(e.dtstart.value.timestamp()), int(e.dtend.value.timestamp()))
            for e in calendar.vevent_list
        }
    return out


def icaljs_readings(paths: list[str]) -> Readings:
    """ical.js's instants."""
    report = read_icaljs(paths)
    return {p: {e["uid"]: (e["start"], e["end"]) for e in events} for p, events in report.items()}


def libical_readings(paths: list[str]) -> Readings:
    """libical's instants."""
    report = read_libical(paths)
    return {p: {e["uid"]: (e["start"], e["end"]) for e in r["events"]} for p, r in report.items()}


READERS: dict[str, Callable[[list[str]], Readings]] = {
    "icalendar": lambda paths: icalendar_readings(paths, own_vtimezone=False),
    "icalendar+VTIMEZONE": lambda paths: icalendar_readings(paths, own_vtimezone=True),
    "vobject": vobject_readings,
    "ical.js": icaljs_readings,
    "libical": libical_readings,
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_parser_reads_the_intended_instants(written: Written, reader: str) -> None:
    readings = READERS[reader](list(written.files))
    wrong = {
        (Path(path).name, uid): (readings.get(path, {}).get(uid), want)
        for path, events in written.expected.items()
        for uid, want in events.items()
        if readings.get(path, {}).get(uid) != want
    }
    assert not wrong, f"{reader} misreads {len(wrong)} meetings, e.g. {list(wrong.items())[:3]}"
    assert sum(len(events) for events in written.expected.values()) > 200


def test_libical_restriction_checks_pass_for_request_cancel_and_publish(written: Written) -> None:
    report = read_libical(list(written.files))
    assert {written.files[path] for path in report} == {"REQUEST", "CANCEL", "PUBLISH"}
    errors = {
        Path(path).name: result["errors"] for path, result in report.items() if result["errors"]
    }
    assert not errors


def test_icaljs_sees_methods_statuses_and_attendees(written: Written) -> None:
    report = read_icaljs(list(written.files))
    for path, events in report.items():
        method = written.files[path]
        assert {e["method"] for e in events} == {method}
        if method == "PUBLISH":
            assert all(e["attendees"] == 0 for e in events)
            assert {e["status"] for e in events} <= {"CONFIRMED", "CANCELLED"}
            if path.endswith("publish-all-zones.ics"):
                assert {e["status"] for e in events} == {"CONFIRMED", "CANCELLED"}
        else:
            (only,) = events
            assert only["attendees"] == 1
            assert only["status"] == ("CONFIRMED" if method == "REQUEST" else "CANCELLED")
            assert only["summary"] == "Formación: Éducation inclusive — 多様性"
