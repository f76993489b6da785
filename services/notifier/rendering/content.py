"""Words of the notifier's mail: subjects and text/HTML bodies rendered from Jinja2 templates.

Privacy rule for sensitive programs: neither the subject, the calendar entry nor the body names
the offering's title or program. Subjects and the opening lines show in inbox previews and on lock
screens, and several mail clients copy an invitation's body into the calendar entry's notes, so
the body keeps to a neutral wording too; the recipient already knows what they signed up for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.settings import get_settings

# Message kinds (docs/API.md): what the ledger's `kind` says and which iTIP method each one carries.
INVITE: Final = "invite"
UPDATE: Final = "update"
CANCEL: Final = "cancel"
WAITLISTED: Final = "waitlisted"
REMINDER: Final = "reminder"
FACILITATOR_INVITE: Final = "facilitator_invite"
FACILITATOR_CANCEL: Final = "facilitator_cancel"
NOTICE: Final = "notice"
METHOD_OF_KIND = {
    INVITE: "REQUEST",
    UPDATE: "REQUEST",
    FACILITATOR_INVITE: "REQUEST",
    CANCEL: "CANCEL",
    FACILITATOR_CANCEL: "CANCEL",
}

NEUTRAL_SUMMARY = "Professional development session"
MessageKind = Literal[
    "invite",
    "update",
    "cancel",
    "waitlisted",
    "reminder",
    "facilitator_invite",
    "facilitator_cancel",
    "notice",
    "sign_in",
    "invitation",
]
_EN_DASH = "\u2013"  # between two times of a meeting
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CHANGES = {
    "time": "time",
    "starts_at": "time",
    "ends_at": "time",
    "meetings": "meeting times",
    "location": "place",
    "venue": "place",
    "join_url": "joining link",
    "facilitator": "facilitator",
    "title": "title",
}
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the code; no stat() per render
)


@dataclass(frozen=True)
class MeetingView:
    """One meeting as a message shows it."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    cancelled: bool = False


@dataclass(frozen=True)
class MessageContent:
    """Everything a message says, before it is rendered."""

    kind: MessageKind
    recipient_name: str
    recipient_timezone: str | None
    title: str
    program_title: str
    sensitive: bool
    meetings: tuple[MeetingView, ...]
    location: str | None = None
    join_url: str | None = None
    affiliate_name: str = ""
    waitlist_position: int | None = None
    reason: str | None = None
    changed: tuple[str, ...] = ()
    # The training the message is about, for the link to its portal page.
    offering_id: int | None = None


def neutral_summary(title: str, sensitive: bool) -> str:
    """The title to show where others may see it: neutral for sensitive programs."""
    return NEUTRAL_SUMMARY if sensitive else title


def render_subject(content: MessageContent) -> str:
    """The subject line (one line, no control characters)."""
    text = TEMPLATES.get_template("subject.txt.j2").render(_context(content))
    return " ".join(text.split())


def render_bodies(content: MessageContent) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    context = _context(content)
    context["lead"] = TEMPLATES.get_template("lead.txt.j2").render(context)
    context["subject"] = render_subject(content)
    text = TEMPLATES.get_template("body.txt.j2").render(context)
    html = TEMPLATES.get_template("body.html.j2").render(context)
    return text, html


def meeting_when(meeting: MeetingView, recipient_timezone: str | None) -> str:
    """The meeting's time in its zone, and in the recipient's when it reads differently.

    E.g. "Tue 9 Mar 2027, 09:00-12:00 EST (America/New_York) — 08:00-11:00 CST your time"
    (with en dashes between the times).
    """
    zone = _zone(meeting.timezone)
    if zone is None:
        raise ValueError(f"timezone: unknown IANA zone {meeting.timezone!r}")
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    text = f"{_span(start, end)} ({meeting.timezone})"
    theirs = _zone(recipient_timezone) if recipient_timezone else None
    if theirs is None or recipient_timezone == meeting.timezone:
        return text
    their_start, their_end = (
        meeting.starts_at.astimezone(theirs),
        meeting.ends_at.astimezone(theirs),
    )
    if _same_clock(start, their_start) and _same_clock(end, their_end):
        return text
    same_day = their_start.date() == start.date()
    return f"{text} — {_span(their_start, their_end, with_day=not same_day)} your time"


def _context(content: MessageContent) -> dict[str, Any]:
    topic = "a professional development session" if content.sensitive else f"“{content.title}”"
    upcoming = [m for m in content.meetings if not m.cancelled] or list(content.meetings)
    first = upcoming[0] if upcoming else None
    first_local = _in_recipient_zone(first, content.recipient_timezone) if first else None
    return {
        "kind": content.kind,
        "topic": topic,
        "subject_topic": neutral_summary(content.title, content.sensitive),
        "program": None if content.sensitive else content.program_title,
        "recipient_name": content.recipient_name.strip() or "there",
        "by_affiliate": f" with {content.affiliate_name}" if content.affiliate_name else "",
        "affiliate_name": content.affiliate_name,
        "sensitive": content.sensitive,
        "meetings": [
            {"when": meeting_when(m, content.recipient_timezone), "cancelled": m.cancelled}
            for m in content.meetings
        ],
        "first_day": _day(first_local) if first_local else "",
        "first_start": f"{_day(first_local)}, {_clock(first_local)}" if first_local else "",
        "location": content.location,
        "join_url": _web_url(content.join_url),
        "waitlist_position": content.waitlist_position,
        "reason": content.reason,
        "changed": list(
            dict.fromkeys(_CHANGES.get(c, c.replace("_", " ")) for c in content.changed)
        ),
        **_links(content),
    }


def _links(content: MessageContent) -> dict[str, Any]:
    """Where the message leads back to on the portal: the training, and the person's page."""
    portal = get_settings().cohort_portal_url.rstrip("/")
    leads = content.kind.startswith("facilitator")
    return {
        "training_url": f"{portal}/offerings/{content.offering_id}"
        if content.offering_id
        else None,
        "home_url": f"{portal}/facilitator" if leads else f"{portal}/me",
        "home_label": "Your schedule" if leads else "My trainings",
    }


def _in_recipient_zone(meeting: MeetingView, recipient_timezone: str | None) -> datetime:
    zone = (_zone(recipient_timezone) if recipient_timezone else None) or _zone(meeting.timezone)
    return meeting.starts_at.astimezone(zone) if zone else meeting.starts_at


def _span(start: datetime, end: datetime, *, with_day: bool = True) -> str:
    day = f"{_day(start)}, " if with_day else ""
    if start.date() != end.date():
        return f"{day}{_clock(start)} {_EN_DASH} {_day(end)}, {_clock(end)}"
    if start.tzname() != end.tzname():  # the clocks change during the meeting
        return f"{day}{_clock(start)}{_EN_DASH}{_clock(end)}"
    return f"{day}{start:%H:%M}{_EN_DASH}{end:%H:%M} {start.tzname()}"


def _day(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M} {moment.tzname()}"


def _same_clock(one: datetime, other: datetime) -> bool:
    return one.utcoffset() == other.utcoffset() and one.tzname() == other.tzname()


@lru_cache(maxsize=256)
def _zone(tzid: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(tzid) if tzid else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _web_url(url: str | None) -> str | None:
    """Only http(s) links are shown, so a stored `javascript:` URL never becomes a link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None
