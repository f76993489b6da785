"""The offering form: what was typed (meetings as rows of date, start and end in the offering's
zone), what is wrong with it before the registry is asked, and the registry's body built from it."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


FORMATS = {
    "in_person": _("In person"),
    "virtual": _("Online"),
    "hybrid": _("Hybrid (in person and online)"),
}
TEXT_FIELDS = (
    "program_code",
    "title",
    "description",
    "format",
    "timezone",
    "venue_name",
    "venue_address",
    "venue_city",
    "venue_state",
    "join_url",
    "capacity",
)
MAX_MEETINGS = 30
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A wall time, with the offset that picks one of the two when the clocks go back.
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d([+-]\d{2}:\d{2})?$")
# A field's problem: a message to translate and the values it names.
Problem = tuple[str, dict[str, Any]]


@dataclass
class MeetingRow:
    """One meeting as typed: its day, start and end (wall times), and its id once it exists."""

    date: str = ""
    start: str = ""
    end: str = ""
    id: str = ""

    @property
    def blank(self) -> bool:
        """Tell whether nothing was typed in the row (it is left out)."""
        return not (self.date or self.start or self.end)


@dataclass
class OfferingForm:
    """The offering as typed (or as the registry has it) and what is wrong with each field."""

    values: dict[str, str]
    meetings: list[MeetingRow]
    errors: dict[str, Problem] = field(default_factory=dict)
    # Refusals that belong to no field of the form.
    problems: list[Problem] = field(default_factory=list)

    @property
    def sent_rows(self) -> list[int]:
        """The rows sent to the registry, in order (blank rows are left out)."""
        return [index for index, row in enumerate(self.meetings) if not row.blank]

    @property
    def wrong(self) -> bool:
        """Tell whether anything is wrong with the form."""
        return bool(self.errors or self.problems)


def blank_form(default_zone: str = "America/New_York") -> OfferingForm:
    """A new offering's form: one empty meeting row."""
    values = dict.fromkeys(TEXT_FIELDS, "")
    values.update(format="in_person", timezone=default_zone)
    return OfferingForm(values, [MeetingRow()])


def read_form(form: dict[str, str]) -> OfferingForm:
    """The posted form, with what can be told wrong before the registry is asked."""
    values = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    rows = []
    for index in range(MAX_MEETINGS):
        if f"meeting_{index}_date" not in form:
            break
        part = {p: form.get(f"meeting_{index}_{p}", "").strip() for p in ("date", "start", "end")}
        rows.append(MeetingRow(**part, id=form.get(f"meeting_{index}_id", "").strip()))
    typed = OfferingForm(values, rows or [MeetingRow()])
    _check(typed)
    return typed


def _check(typed: OfferingForm) -> None:
    values, errors = typed.values, typed.errors
    if not values["title"]:
        errors["title"] = (_("Enter a title."), {})
    if not values["capacity"].isdigit() or not 1 <= int(values["capacity"]) <= 1000:
        errors["capacity"] = (_("Enter a number of seats from 1 to 1000."), {})
    if values["format"] not in FORMATS:
        errors["format"] = (_("Choose a format from the list."), {})
    for index, row in enumerate(typed.meetings):
        if row.blank:
            continue
        if not _DATE.match(row.date) or not _is_date(row.date):
            errors[f"meeting_{index}_date"] = (_("Enter the day as YYYY-MM-DD."), {})
        for part in ("start", "end"):
            if not _TIME.match(getattr(row, part)):
                errors[f"meeting_{index}_{part}"] = (_("Enter the time as HH:MM, e.g. 09:30."), {})
    if not typed.sent_rows:
        errors["meeting_0_date"] = (_("Enter at least one meeting."), {})


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _meetings(typed: OfferingForm, *, with_ids: bool) -> list[dict[str, Any]]:
    meetings: list[dict[str, Any]] = []
    for index in typed.sent_rows:
        row = typed.meetings[index]
        meeting: dict[str, Any] = {
            "starts_at": f"{row.date}T{row.start}",
            "ends_at": f"{row.date}T{row.end}",
        }
        if with_ids and row.id.isdigit():
            meeting["id"] = int(row.id)
        meetings.append(meeting)
    return meetings


def _delivery(values: dict[str, str]) -> dict[str, Any]:
    """Venue and join link, each as the format needs it (the other one cleared)."""
    in_person = values["format"] in ("in_person", "hybrid")
    online = values["format"] in ("virtual", "hybrid")
    venue = {part: values[f"venue_{part}"] for part in ("name", "address", "city", "state")}
    return {
        "venue": {**venue, "state": venue["state"].upper()} if in_person else None,
        "join_url": values["join_url"] or None if online else None,
    }


def creation(typed: OfferingForm, affiliate_id: int) -> dict[str, Any]:
    """The registry's POST /offerings body."""
    values = typed.values
    body = {
        "affiliate_id": affiliate_id,
        "program_code": values["program_code"],
        "title": values["title"],
        "description": values["description"],
        "format": values["format"],
        "timezone": values["timezone"],
        "capacity": int(values["capacity"]),
        "max_cohorts": 1,
        "meetings": _meetings(typed, with_ids=False),
    }
    return body | {key: value for key, value in _delivery(values).items() if value is not None}


def change(typed: OfferingForm) -> dict[str, Any]:
    """The registry's PATCH body: what the form may change (not program, format or zone)."""
    values = typed.values
    return {
        "title": values["title"],
        "description": values["description"],
        "capacity": int(values["capacity"]),
        "meetings": _meetings(typed, with_ids=True),
        **_delivery(values),
    }


def _wall_time(stamp: str, zone: ZoneInfo) -> tuple[str, str]:
    """A meeting time from the registry as its day and HH:MM, with the offset when the clocks
    go back and the wall time alone would be read as the other one."""
    moment = datetime.fromisoformat(stamp).astimezone(zone)
    wall = moment.replace(tzinfo=None)
    twice = (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    )
    clock = moment.strftime("%H:%M") + (moment.isoformat()[-6:] if twice else "")
    return moment.date().isoformat(), clock


def from_offering(offering: dict[str, Any], *, weeks_later: int | None = None) -> OfferingForm:
    """The form filled in from an offering; a copy `weeks_later` (no ids, same wall times)."""
    values = dict.fromkeys(TEXT_FIELDS, "")
    venue = offering.get("venue") or {}
    values.update(
        {name: str(offering.get(name) or "") for name in TEXT_FIELDS if name in offering},
        **{
            f"venue_{part}": str(venue.get(part) or "")
            for part in ("name", "address", "city", "state")
        },
    )
    values["capacity"] = str(offering.get("capacity", ""))
    try:
        zone = ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    rows = []
    for meeting in offering.get("meetings", []):
        day, start = _wall_time(meeting["starts_at"], zone)
        _end_day, end = _wall_time(meeting["ends_at"], zone)
        rows.append(MeetingRow(day, start, end, str(meeting["id"])))
    if weeks_later is not None:
        shift = timedelta(weeks=weeks_later)
        rows = [
            MeetingRow((date.fromisoformat(r.date) + shift).isoformat(), r.start[:5], r.end[:5])
            for r in rows
        ]
    return OfferingForm(values, rows or [MeetingRow()])
