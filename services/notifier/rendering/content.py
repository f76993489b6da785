"""Words of the notifier's mail: subjects and text/HTML bodies in the reader's language.

Privacy rule for sensitive programs: neither the subject, the calendar entry nor the body names
the offering's title or program. Subjects and the opening lines show in inbox previews and on lock
screens, and several mail clients copy an invitation's body into the calendar entry's notes, so
the body keeps to a neutral wording too; the recipient already knows what they signed up for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.notifier.rendering import dates
from services.notifier.rendering.words import CHANGES, WORDS, language, words_for
from services.notifier.rendering.words import neutral_summary as neutral_summary
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
# Kinds that name the training's PD hours (what it counts for, before one takes part).
PD_HOUR_KINDS: Final = (INVITE, REMINDER, FACILITATOR_INVITE)

NEUTRAL_SUMMARY = WORDS["en"]["neutral_summary"]
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
    "certificate",
]
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
class Before:
    """What the recipient was last sent of a meeting, so an update can say what changed."""

    starts_at: datetime
    ends_at: datetime
    location: str | None
    join_url: str | None


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
    locale: str = "en"
    pd_hours: float = 0.0
    before: Before | None = None


def render_subject(content: MessageContent) -> str:
    """The subject line (one line, no control characters)."""
    words = words_for(content.locale)
    when = _subject_when(content)
    topic = neutral_summary(content.title, content.sensitive, content.locale)
    text = words[f"subject_{_wording_kind(content)}"].format(
        topic=topic, when=f" — {when}" if when else ""
    )
    return " ".join(text.split())


def render_bodies(content: MessageContent) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    context = _context(content)
    context["subject"] = render_subject(content)
    text = TEMPLATES.get_template("body.txt.j2").render(context)
    html = TEMPLATES.get_template("body.html.j2").render(context)
    return text, html


def meeting_when(meeting: MeetingView, recipient_timezone: str | None, locale: str = "en") -> str:
    """The meeting's time in its zone, and in the recipient's when it reads differently.

    E.g. "Tue 9 Mar 2027, 09:00-12:00 EST (America/New_York) — 08:00-11:00 CST your time"
    (with en dashes between the times).
    """
    zone = dates.zone(meeting.timezone)
    if zone is None:
        raise ValueError(f"timezone: unknown IANA zone {meeting.timezone!r}")
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    text = f"{dates.span(start, end, locale=locale)} ({meeting.timezone})"
    theirs = dates.zone(recipient_timezone) if recipient_timezone else None
    if theirs is None or recipient_timezone == meeting.timezone:
        return text
    their_start, their_end = (
        meeting.starts_at.astimezone(theirs),
        meeting.ends_at.astimezone(theirs),
    )
    if dates.same_clock(start, their_start) and dates.same_clock(end, their_end):
        return text
    same_day = their_start.date() == start.date()
    theirs_text = dates.span(their_start, their_end, locale=locale, with_day=not same_day)
    return f"{text} — {words_for(locale)['your_time'].format(span=theirs_text)}"


def _wording_kind(content: MessageContent) -> str:
    return content.kind if f"lead_{content.kind}" in WORDS["en"] else NOTICE


def _subject_when(content: MessageContent) -> str:
    first = _first_local(content)
    if first is None or content.kind in (CANCEL, WAITLISTED, FACILITATOR_CANCEL, NOTICE):
        return ""
    if content.kind == REMINDER:
        return f"{dates.day(first, content.locale)}, {dates.clock(first)}"
    return dates.day(first, content.locale)


def _first_local(content: MessageContent) -> datetime | None:
    upcoming = [m for m in content.meetings if not m.cancelled] or list(content.meetings)
    if not upcoming:
        return None
    first = upcoming[0]
    zone = dates.zone(content.recipient_timezone) or dates.zone(first.timezone)
    return first.starts_at.astimezone(zone) if zone else first.starts_at


def _lead(content: MessageContent, words: dict[str, str]) -> str:
    topic = (
        words["topic_neutral"] if content.sensitive else words["topic"].format(title=content.title)
    )
    changed = [words[CHANGES.get(c, "changed_other")] for c in content.changed]
    position = content.waitlist_position
    return words[f"lead_{_wording_kind(content)}"].format(
        topic=topic,
        by=words["by_affiliate"].format(affiliate=content.affiliate_name)
        if content.affiliate_name
        else "",
        changes=f": {', '.join(dict.fromkeys(changed))}" if changed else "",
        position=words["position"].format(position=position) if position else "",
    )


def _context(content: MessageContent) -> dict[str, Any]:
    words = words_for(content.locale)
    name = content.recipient_name.strip()
    show_hours = content.kind in PD_HOUR_KINDS and content.pd_hours > 0
    return {
        "w": words,
        "lang": language(content.locale),
        "hello": words["hello"].format(name=name) if name else words["hello_anonymous"],
        "lead": _lead(content, words),
        "program": None if content.sensitive else content.program_title,
        "pd_hours": words["pd_hours"].format(hours=dates.hours(content.pd_hours, content.locale))
        if show_hours
        else None,
        "sensitive": content.sensitive,
        "meetings": [
            {
                "when": meeting_when(m, content.recipient_timezone, content.locale),
                "cancelled": m.cancelled,
            }
            for m in content.meetings
        ],
        "location": content.location,
        "join_url": _web_url(content.join_url),
        "reason": content.reason,
        "changes": _changes(content, words),
        "signature": words["on_behalf"].format(affiliate=content.affiliate_name)
        if content.affiliate_name
        else words["signature"],
        **_links(content, words),
    }


def _changes(content: MessageContent, words: dict[str, str]) -> list[str]:
    """ "Time: A → B", "Venue: A → B" ... of an update, from what the recipient was last sent."""
    before, meetings = content.before, content.meetings
    if content.kind != UPDATE or before is None or len(meetings) != 1:
        return []
    meeting = meetings[0]
    zone = dates.zone(content.recipient_timezone) or dates.zone(meeting.timezone)
    lines = []
    if (before.starts_at, before.ends_at) != (meeting.starts_at, meeting.ends_at):
        old = (before.starts_at.astimezone(zone), before.ends_at.astimezone(zone))
        new = (meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone))
        lines.append(f"{words['change_time']}: {dates.moved(old, new, content.locale)}")
    for label, old_value, new_value in (
        ("change_venue", before.location, content.location),
        ("change_link", _web_url(before.join_url), _web_url(content.join_url)),
    ):
        if (old_value or None) != (new_value or None):
            old_text, new_text = old_value or words["nothing"], new_value or words["nothing"]
            lines.append(f"{words[label]}: {old_text} {dates.ARROW} {new_text}")
    return lines


def _links(content: MessageContent, words: dict[str, str]) -> dict[str, Any]:
    """Where the message leads back to on the portal: the training, and the person's page."""
    portal = get_settings().cohort_portal_url.rstrip("/")
    leads = content.kind.startswith("facilitator")
    return {
        "training_url": f"{portal}/offerings/{content.offering_id}"
        if content.offering_id
        else None,
        "home_url": f"{portal}/facilitator" if leads else f"{portal}/me",
        "home_label": words["your_schedule"] if leads else words["my_trainings"],
    }


def _web_url(url: str | None) -> str | None:
    """Only http(s) links are shown, so a stored `javascript:` URL never becomes a link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None
