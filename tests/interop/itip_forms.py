"""The candidate iTIP forms of one course's invites, step by step, for the calendar-form study.

A course of five weekly meetings in New York crosses the March 2027 clock change. Four steps
follow one another: the invite, moving ONE meeting, cancelling ONE (other) meeting, cancelling
the whole course. For each form and step this writes the mails of that step (each mail: its
calendar objects) and the calendar the recipient should hold afterwards (the organizer's copy,
which a CalDAV server stores), with the instants every reader must find in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.notifier.rendering.ical import vtimezone

ZONE = "America/New_York"
TZ = ZoneInfo(ZONE)
STEPS = ("invite", "move-one", "cancel-one", "cancel-all")
MOVED, CANCELLED = 2, 1  # indexes of the meeting moved, then of the one cancelled
Instant = tuple[int, int]  # epoch seconds of start and end
Named = tuple[str, int | None, int]  # what a VEVENT names: UID, RECURRENCE-ID, DTSTART


def _meeting(day: int, month: int = 3, hour: int = 16) -> tuple[datetime, datetime]:
    starts = datetime(2027, month, day, hour, tzinfo=TZ)
    return starts, starts + timedelta(hours=2)


# Thursdays 16:00-18:00; US clocks go forward on Sunday 14 March 2027, between meetings 2 and 3.
COURSE = [_meeting(4), _meeting(11), _meeting(18), _meeting(25), _meeting(1, month=4)]
MOVED_TO = _meeting(19, hour=17)  # meeting 3 moves to Friday 17:00


@dataclass
class Step:
    """One step of one form: its mails and the calendar the recipient holds afterwards."""

    mails: list[list[str]]  # each mail: the VCALENDAR texts of its calendar parts
    held: list[str]  # the calendar objects the recipient holds, one per UID
    expected: list[Instant]  # every instance they should see, sorted
    named: list[Named] = field(default_factory=list)


def _local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y%m%dT%H%M%S")


def _when(name: str, moment: datetime) -> str:
    return f"{name};TZID={ZONE}:{_local(moment)}"


def _calendar(method: str, vevents: list[list[str]]) -> str:
    head = ["BEGIN:VCALENDAR", "PRODID:-//Cohort//Form study//EN", "VERSION:2.0"]
    head += [f"METHOD:{method}", vtimezone(ZONE, 2026, 2028)]
    body = [line for vevent in vevents for line in vevent]
    return "\r\n".join([*head, *body, "END:VCALENDAR", ""])


def _vevent(uid: str, seq: int, when: tuple[datetime, datetime], *extra: str) -> list[str]:
    status = "STATUS:CANCELLED" if "CANCEL" in extra else "STATUS:CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{seq}",
        "DTSTAMP:20270101T000000Z",
        _when("DTSTART", when[0]),
        _when("DTEND", when[1]),
        "SUMMARY:Inclusive classrooms",
        status,
        "ORGANIZER;CN=Cohort:mailto:noreply@c.test",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:zoe@example.org",
    ]
    lines += [line for line in extra if line != "CANCEL"]
    return [*lines, "END:VEVENT"]


def _instant(when: tuple[datetime, datetime]) -> Instant:
    return int(when[0].timestamp()), int(when[1].timestamp())


def _schedule(step: int) -> list[tuple[datetime, datetime]]:
    """The meetings the recipient should see after `step` (0-based)."""
    meetings = list(COURSE)
    if step >= 1:
        meetings[MOVED] = MOVED_TO
    if step >= 2:
        meetings[CANCELLED] = None  # type: ignore[call-overload]
    return [] if step >= 3 else [m for m in meetings if m is not None]


def expected_after(step: int) -> list[Instant]:
    return sorted(_instant(m) for m in _schedule(step))


# --- (a) one event per registration: RDATE instances, RECURRENCE-ID overrides -----------------


def _series(uid: str, seq: int, step: int, recurrence: list[str]) -> list[list[str]]:
    """The master (plus the moved meeting's override) as held after `step`."""
    extra = list(recurrence)
    if step >= 2:
        extra.append(_when("EXDATE", COURSE[CANCELLED][0]))
    vevents = [_vevent(uid, seq, COURSE[0], *extra)]
    if step >= 1:
        rid = _when("RECURRENCE-ID", COURSE[MOVED][0])
        vevents.append(_vevent(uid, seq, MOVED_TO, rid))
    return vevents


def _rdates() -> list[str]:
    return [_when("RDATE", starts) for starts, _ in COURSE[1:]]


def _rdates_with_start() -> list[str]:
    return [_when("RDATE", starts) for starts, _ in COURSE]


def _rrule() -> list[str]:
    return [f"RRULE:FREQ=WEEKLY;COUNT={len(COURSE)}"]


def series_form(recurrence: Callable[[], list[str]], uid: str) -> list[Step]:
    """One event for the registration; a change is one mail, as RFC 5546 section 3.2 puts it."""
    steps = []
    for number in range(len(STEPS)):
        series = _series(uid, number, number, recurrence())
        held = [] if number == 3 else [_calendar("REQUEST", series)]
        if number in (0, 1):
            mail = held
            named: list[Named] = [(uid, None, _instant(COURSE[0])[0])]
            if number == 1:  # the override of the moved meeting rides along with its master
                named.append((uid, _instant(COURSE[MOVED])[0], _instant(MOVED_TO)[0]))
        elif number == 2:  # CANCEL of one instance: RECURRENCE-ID names it
            rid = _when("RECURRENCE-ID", COURSE[CANCELLED][0])
            vevent = _vevent(uid, number, COURSE[CANCELLED], rid, "CANCEL")
            mail = [_calendar("CANCEL", [vevent])]
            named = [(uid, _instant(COURSE[CANCELLED])[0], _instant(COURSE[CANCELLED])[0])]
        else:
            mail = [_calendar("CANCEL", [_vevent(uid, number, COURSE[0], "CANCEL")])]
            named = [(uid, None, _instant(COURSE[0])[0])]
        steps.append(Step([mail], held, expected_after(number), named))
    return steps


# --- (b) one invite per meeting, own UID (today's form); (d) the same objects in one mail ------


def _meeting_uid(index: int) -> str:
    return f"meeting-{index + 1}-educator-7@c.test"


def _per_meeting_held(step: int) -> dict[int, str]:
    held = {}
    for index, when in enumerate(COURSE):
        if step >= 3 or (step >= 2 and index == CANCELLED):
            continue
        moved = step >= 1 and index == MOVED
        seq = 1 if moved else 0
        held[index] = _calendar(
            "REQUEST", [_vevent(_meeting_uid(index), seq, MOVED_TO if moved else when)]
        )
    return held


def per_meeting_form(*, summary_mail: bool, one_mail: bool) -> list[Step]:
    """A REQUEST or CANCEL per meeting; optionally a summary mail, or all parts in one mail."""
    steps = []
    for number in range(len(STEPS)):
        held = _per_meeting_held(number)
        before = _per_meeting_held(number - 1) if number else {}
        if number == 0:
            changed = {i: held[i] for i in held}
        elif number == 1:
            changed = {MOVED: held[MOVED]}
        else:
            gone = sorted(set(before) - set(held))
            changed = {
                i: _calendar(
                    "CANCEL", [_vevent(_meeting_uid(i), 1 + (i == MOVED), COURSE[i], "CANCEL")]
                )
                for i in gone
            }
        parts = list(changed.values())
        mails = [parts] if one_mail else [[part] for part in parts]
        if summary_mail and number == 0 and not one_mail:
            mails.append([])  # a plain summary of the course, no calendar part
        named: list[Named] = [(_meeting_uid(i), None, _named_start(i, number)) for i in changed]
        steps.append(Step(mails, list(held.values()), expected_after(number), named))
    return steps


def _named_start(index: int, step: int) -> int:
    if step >= 1 and index == MOVED and step < 3:
        return _instant(MOVED_TO)[0]
    return _instant(COURSE[index])[0]


FORMS: dict[str, Callable[[], list[Step]]] = {
    "a: one event, RDATE + overrides": lambda: series_form(_rdates, "registration-12@c.test"),
    "a2: as a, DTSTART also an RDATE": lambda: series_form(
        _rdates_with_start, "registration-12@c.test"
    ),
    "b: invite per meeting + summary": lambda: per_meeting_form(summary_mail=True, one_mail=False),
    "b0: invite per meeting (today)": lambda: per_meeting_form(summary_mail=False, one_mail=False),
    "c: one event, RRULE + EXDATE": lambda: series_form(_rrule, "registration-12@c.test"),
    "d: one mail, a part per meeting": lambda: per_meeting_form(summary_mail=False, one_mail=True),
}
WINDOW = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
