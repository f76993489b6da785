"""Outgoing messages: a booking (or a notice) rendered into the bytes the ledger stores."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any, Protocol, cast

from services.notifier.rendering import content as words
from services.notifier.rendering import ical, mime, zones
from services.notifier.rendering import words as wording
from services.notifier.rendering.content import MeetingView, MessageContent, MessageKind
from shared.erasure import is_erased_email
from shared.settings import get_settings

log = logging.getLogger(__name__)

# Invites carry a display alarm this long before each meeting (cancellations carry none).
ALARM_MINUTES = 30
NEUTRAL_DESCRIPTION = words.WORDS["en"]["neutral_description"]
# `Booking.CANCELLED` of the notifier's tables (rendering imports no table).
CANCELLED_BOOKING = "cancelled"
# The error of a message to someone erased: it enters the ledger failed and is never sent.
RECIPIENT_ERASED = "recipient erased"


class BookingView(Protocol):
    """What rendering reads of a booking (the notifier's `Booking` row has these columns)."""

    recipient_kind: str
    recipient_id: int
    recipient_email: str
    recipient_name: str
    recipient_timezone: str | None
    recipient_locale: str
    meeting_id: int
    offering_id: int
    uid: str
    sequence: int
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    title: str
    description: str
    program_title: str
    affiliate_name: str
    sensitive: bool
    location: str | None
    join_url: str | None
    pd_hours: float
    reply_to: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Outgoing:
    """A rendered message ready to enter the ledger."""

    recipient: str
    kind: str
    message: bytes = b""
    meeting_id: int = 0
    sequence: int = 0
    variant: str = ""
    method: str | None = None
    uid: str | None = None
    # Set when the message could not be composed: it enters the ledger failed, never sent.
    error: str | None = None
    # The person it goes to, when known (sign-in mail goes to an address): erasure finds it so.
    person_id: int | None = None


def _organizer() -> tuple[str, str]:
    name, email = parseaddr(get_settings().cohort_mail_from)
    return name or "Cohort", email


def calendar_event(
    booking: BookingView, *, method: str, dtstamp: datetime | None = None
) -> ical.CalendarEvent:
    """The booking as one VEVENT: an invite's (one ATTENDEE) or a feed's (none, for PUBLISH)."""
    organizer_name, organizer_email = _organizer()
    cancelled = method == "CANCEL" or (method == "PUBLISH" and booking.status == CANCELLED_BOOKING)
    locale = booking.recipient_locale
    described = wording.neutral_description(locale) if booking.sensitive else booking.description
    return ical.CalendarEvent(
        uid=booking.uid,
        sequence=booking.sequence,
        summary=words.neutral_summary(booking.title, booking.sensitive, locale),
        description=described,
        starts_at=zones.as_utc(booking.starts_at),
        ends_at=zones.as_utc(booking.ends_at),
        timezone=booking.timezone,
        location=booking.location,
        url=booking.join_url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=None if method == "PUBLISH" else booking.recipient_email,
        attendee_name=None if method == "PUBLISH" else booking.recipient_name,
        alarm_minutes_before=ALARM_MINUTES if method == "REQUEST" else None,
        dtstamp=dtstamp or datetime.now(UTC),
        last_modified=zones.as_utc(booking.updated_at),
        private=booking.sensitive,
    )


def _content(
    booking: BookingView,
    kind: MessageKind,
    *,
    cancelled: bool,
    **said: Any,
) -> MessageContent:
    view = MeetingView(
        starts_at=zones.as_utc(booking.starts_at),
        ends_at=zones.as_utc(booking.ends_at),
        timezone=booking.timezone,
        cancelled=cancelled,
    )
    return MessageContent(
        kind=kind,
        recipient_name=booking.recipient_name,
        recipient_timezone=booking.recipient_timezone,
        title=booking.title,
        program_title=booking.program_title,
        sensitive=booking.sensitive,
        meetings=(view,),
        location=booking.location,
        join_url=booking.join_url,
        affiliate_name=booking.affiliate_name,
        offering_id=booking.offering_id,
        locale=booking.recipient_locale,
        pd_hours=booking.pd_hours,
        **said,
    )


def _compose(
    content: MessageContent,
    *,
    kind: str,
    to_name: str,
    to_email: str,
    calendar_text: str | None,
    method: str | None,
    reply_to: str | None = None,
) -> bytes:
    text_body, html_body = words.render_bodies(content)
    return compose_mail(
        kind=kind,
        to_name=to_name,
        to_email=to_email,
        subject=words.render_subject(content),
        text_body=text_body,
        html_body=html_body,
        calendar_text=calendar_text,
        method=method,
        reply_to=reply_to,
    )


def compose_mail(
    *,
    kind: str,
    to_name: str,
    to_email: str,
    subject: str,
    text_body: str,
    html_body: str,
    calendar_text: str | None = None,
    method: str | None = None,
    reply_to: str | None = None,
) -> bytes:
    """The MIME bytes of one Cohort mail from the deployment's sender, tagged with its kind;
    replies go to `reply_to` (the affiliate's contact address) when given."""
    sender = get_settings().cohort_mail_from
    reply = mime.reply_address(reply_to) if reply_to else None
    headers = {"X-Cohort-Kind": kind} | ({"Reply-To": reply} if reply else {})
    return mime.compose_message(
        sender=sender,
        to_name=to_name,
        to_email=to_email,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        calendar_text=calendar_text,
        method=method,
        message_id_domain=mime.mail_domain(sender),
        headers=headers,
    )


def _variant(booking: BookingView, detail: str = "") -> str:
    """Keeps an educator's and a facilitator's messages apart should they share an address."""
    if booking.recipient_kind == "educator":
        return detail
    return f"{booking.recipient_kind}:{detail}" if detail else booking.recipient_kind


def finished(outgoing: Outgoing, build: Callable[[], bytes]) -> Outgoing:
    """The message with its bytes; one that cannot be composed (an unusable address, an unknown
    zone) enters the ledger as failed, visible to operators, instead of failing the event."""
    if is_erased_email(outgoing.recipient):
        return replace(outgoing, error=RECIPIENT_ERASED)
    try:
        return replace(outgoing, message=build())
    except ValueError as exc:
        log.warning("message cannot be composed", extra={"kind": outgoing.kind})
        return replace(outgoing, error=f"cannot compose this message: {exc}")


def booking_message(booking: BookingView, kind: str, **said: Any) -> Outgoing:
    """An invite, update or cancellation of one booking, with its calendar part; `said` is what
    the message says besides (MessageContent's `changed`, `before` and `reason`)."""
    method = words.METHOD_OF_KIND[kind]
    outgoing = Outgoing(
        recipient=booking.recipient_email,
        kind=kind,
        meeting_id=booking.meeting_id,
        sequence=booking.sequence,
        variant=_variant(booking),
        method=method,
        uid=booking.uid,
        person_id=booking.recipient_id,
    )

    def build() -> bytes:
        event = calendar_event(booking, method=method)
        cancelled = method == "CANCEL"
        content = _content(booking, cast(MessageKind, kind), cancelled=cancelled, **said)
        return _compose(
            content,
            kind=kind,
            to_name=booking.recipient_name,
            to_email=booking.recipient_email,
            calendar_text=ical.build_calendar(cast(ical.Method, method), [event]),
            method=method,
            reply_to=booking.reply_to,
        )

    return finished(outgoing, build)


def reminder_message(booking: BookingView, offset_label: str) -> Outgoing:
    """A plain reminder of one booked meeting (the calendar already holds the invite)."""
    outgoing = Outgoing(
        recipient=booking.recipient_email,
        kind=words.REMINDER,
        meeting_id=booking.meeting_id,
        sequence=booking.sequence,
        variant=_variant(booking, offset_label),
        uid=booking.uid,
        person_id=booking.recipient_id,
    )
    return finished(
        outgoing,
        lambda: _compose(
            _content(booking, words.REMINDER, cancelled=False),
            kind=words.REMINDER,
            to_name=booking.recipient_name,
            to_email=booking.recipient_email,
            calendar_text=None,
            method=None,
            reply_to=booking.reply_to,
        ),
    )


def notice_message(
    *,
    kind: str,
    content: MessageContent,
    to_name: str,
    to_email: str,
    variant: str,
    person_id: int | None = None,
    reply_to: str | None = None,
) -> Outgoing:
    """A plain notice with no calendar part (waitlisted, a waitlist place cancelled)."""
    outgoing = Outgoing(recipient=to_email, kind=kind, variant=variant, person_id=person_id)
    return finished(
        outgoing,
        lambda: _compose(
            content,
            kind=kind,
            to_name=to_name,
            to_email=to_email,
            calendar_text=None,
            method=None,
            reply_to=reply_to,
        ),
    )
