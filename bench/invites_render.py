"""Rendering micro-benchmark of the notifier: iCalendar objects and MIME messages per second.

Compares, in one run on one core: icalendar's own build (VCALENDAR + VEVENT + a VTIMEZONE
component built once, `to_ical()`), `build_calendar`, icalendar building its VTIMEZONE per
message, stdlib `EmailMessage` and `compose_message`.

    .venv/bin/python bench/invites_render.py [--seconds 1.0] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.notifier.rendering.content import MeetingView, MessageContent, render_bodies  # noqa: E402
from services.notifier.rendering.ical import CalendarEvent, build_calendar, meeting_uid  # noqa: E402
from services.notifier.rendering.mime import compose_message  # noqa: E402

DOCS = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench:render:start -->", "<!-- bench:render:end -->"
ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
DESCRIPTION = (
    "Formación: Éducation inclusive — 多様性. Three meetings on building classrooms where every "
    "learner belongs; bring a lesson plan you would like to adapt. Hosted by the Illinois "
    "Education Association; questions go to your local's professional development contact."
)
EVENT = CalendarEvent(
    uid=meeting_uid(
        meeting_id=4711, recipient_kind="educator", recipient_id=90210, domain="cohort.example"
    ),
    sequence=2,
    summary="Formación: Éducation inclusive — 多様性",
    description=DESCRIPTION,
    starts_at=datetime(2027, 7, 15, 9, tzinfo=CHICAGO),
    ends_at=datetime(2027, 7, 15, 12, tzinfo=CHICAGO),
    timezone=ZONE,
    location="Lincoln Hall, 100 Main St, Springfield, IL",
    url="https://meet.example.org/j/4711",
    organizer_email="noreply@cohort.example",
    organizer_name="Illinois Education Association",
    attendee_email="zoe.nunez@example.org",
    attendee_name="Zoë Ñúñez",
    alarm_minutes_before=60,
    dtstamp=datetime(2027, 6, 1, 12, tzinfo=UTC),
)
CACHED_VTIMEZONE = icalendar.Timezone.from_tzid(
    ZONE, first_date=date(2026, 1, 1), last_date=date(2029, 1, 1)
)


def icalendar_build(*, vtimezone: icalendar.Timezone | None) -> bytes:
    """The same invite through icalendar's object model; VTIMEZONE given or built per message."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cohort//Notifier 1.0//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", EVENT.uid)
    event.add("sequence", EVENT.sequence)
    event.add("dtstamp", EVENT.dtstamp)
    event.add("dtstart", EVENT.starts_at)
    event.add("dtend", EVENT.ends_at)
    event.add("summary", EVENT.summary)
    event.add("description", EVENT.description)
    event.add("location", EVENT.location)
    event.add("url", EVENT.url)
    event.add("status", "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{EVENT.organizer_email}")
    organizer.params["cn"] = EVENT.organizer_name
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{EVENT.attendee_email}")
    attendee.params.update(
        {
            "cn": EVENT.attendee_name,
            "role": "REQ-PARTICIPANT",
            "partstat": "NEEDS-ACTION",
            "rsvp": "FALSE",
        }
    )
    event.add("attendee", attendee)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-60))
    alarm.add("description", f"Reminder: {EVENT.summary}")
    event.add_component(alarm)
    if vtimezone is None:
        calendar.add_component(event)
        calendar.add_missing_timezones()
    else:
        calendar.add_component(vtimezone)
        calendar.add_component(event)
    return calendar.to_ical()


CONTENT = MessageContent(
    kind="invite",
    recipient_name="Zoë Ñúñez",
    recipient_timezone="America/New_York",
    title=EVENT.summary,
    program_title="Inclusive classrooms",
    sensitive=False,
    meetings=(MeetingView(EVENT.starts_at, EVENT.ends_at, ZONE),),
    location=EVENT.location,
    join_url=EVENT.url,
    affiliate_name="Illinois Education Association",
)
SUBJECT = "Registered: Formación: Éducation inclusive — 多様性 — Thu 15 Jul 2027"
TEXT, HTML = render_bodies(CONTENT)
CALENDAR = build_calendar("REQUEST", [EVENT])


def stdlib_email_message() -> bytes:
    """The same message through email.message.EmailMessage, as bytes for SMTP."""
    message = EmailMessage(policy=SMTP)
    message["From"] = "Cohort <noreply@cohort.example>"
    message["To"] = f"{CONTENT.recipient_name} <{EVENT.attendee_email}>"
    message["Subject"] = SUBJECT
    message["Message-ID"] = "<4711.90210.2@cohort.example>"
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    message.add_alternative(CALENDAR, subtype="calendar", params={"method": "REQUEST"})
    return message.as_bytes()


def ours_message() -> bytes:
    """The message through compose_message."""
    return compose_message(
        sender="Cohort <noreply@cohort.example>",
        to_name=CONTENT.recipient_name,
        to_email=str(EVENT.attendee_email),
        subject=SUBJECT,
        text_body=TEXT,
        html_body=HTML,
        calendar_text=CALENDAR,
        method="REQUEST",
        message_id_domain="cohort.example",
    )


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of `work` over about `seconds`."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(20):
            work()
        calls += 20
    return calls / elapsed


def measure(seconds: float) -> dict[str, float]:
    """Every rate of the comparison: best of three rounds, the workloads taking turns in each
    round so a change of load on the machine hits them alike."""
    workloads: dict[str, Callable[[], object]] = {
        "icalendar, cached VTIMEZONE": lambda: icalendar_build(vtimezone=CACHED_VTIMEZONE),
        "build_calendar": lambda: build_calendar("REQUEST", [EVENT]),
        "icalendar, VTIMEZONE per message": lambda: icalendar_build(vtimezone=None),
        "render_subject + render_bodies": lambda: render_bodies(CONTENT),
        "EmailMessage (stdlib)": stdlib_email_message,
        "compose_message": ours_message,
    }
    for work in workloads.values():
        work()  # warm caches (VTIMEZONE, templates)
    best = dict.fromkeys(workloads, 0.0)
    for _ in range(3):
        for name, work in workloads.items():
            best[name] = max(best[name], rate(work, seconds / 3))
    return best


def report(rates: dict[str, float]) -> str:
    """A Markdown table of the rates and the ratios that matter."""
    lines = ["| what | per second | ms each |", "|---|---:|---:|"]
    lines += [f"| {name} | {value:,.0f} | {1000 / value:.3f} |" for name, value in rates.items()]
    ratio = rates["build_calendar"] / rates["icalendar, cached VTIMEZONE"]
    default = rates["build_calendar"] / rates["icalendar, VTIMEZONE per message"]
    mime = rates["compose_message"] / rates["EmailMessage (stdlib)"]
    lines += [
        "",
        f"- build_calendar / icalendar with cached VTIMEZONE: **{ratio:.2f}x** (target ≥ 0.80)",
        f"- build_calendar / icalendar with VTIMEZONE per message: {default:.1f}x",
        f"- compose_message / EmailMessage: {mime:.1f}x",
    ]
    return "\n".join(lines)


def write_docs(table: str, seconds: float) -> None:
    """Replace the invite-rendering section of docs/PERFORMANCE.md, leaving the rest alone."""
    section = "\n".join(
        [
            START,
            "## Invite rendering",
            "",
            f"Command: `.venv/bin/python bench/invites_render.py --seconds {seconds:g}"
            " --write-docs` (one process, best of three rounds per line;"
            f" Python {platform.python_version()}, icalendar {icalendar.__version__},"
            f" 2-core project machine shared with other work, load average {os.getloadavg()[0]:.1f}"
            " at the end). The invite: REQUEST, non-ASCII"
            " summary, ~300-character description, organizer, one attendee, VALARM,"
            " America/Chicago; the message: subject, text, HTML and calendar parts.",
            "",
            table,
            END,
        ]
    )
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


def run(*, seconds: float = 1.5, write: bool = True) -> str:
    """Measure, print the table, and write it into docs/PERFORMANCE.md unless told not to."""
    table = report(measure(seconds))
    print(table)
    if write:
        write_docs(table, seconds)
    return table


def main() -> None:
    """Command line: run the comparison and print it (and write it into the docs when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    parser.add_argument("--write-docs", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()
    run(seconds=args.seconds, write=args.write_docs)


if __name__ == "__main__":
    main()
