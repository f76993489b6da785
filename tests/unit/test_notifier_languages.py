"""Mail in the reader's language: every word in Spanish too, dates in Spanish, PD hours, what an
update changed from what to what, why a waitlist place ended, Reply-To and the calendar text."""

# ruff: noqa: RUF001 - en dashes between times are the expected text

import email
import re
import string
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from services.notifier.rendering import content as rendering
from services.notifier.rendering import outgoing, words
from services.notifier.rendering.content import (
    Before,
    MeetingView,
    MessageContent,
    MessageKind,
    render_bodies,
    render_subject,
)
from shared.settings import get_settings

NEW_YORK = ZoneInfo("America/New_York")
TEMPLATES = Path(rendering.__file__).with_name("templates")
BOOKING_KINDS = [k for k in get_args(MessageKind) if k not in ("sign_in", "invitation")]
# Words of the English mail that must never show in a Spanish one.
ENGLISH = (
    "Hello",
    "Meeting",
    "Where",
    "Join online",
    "About this training",
    "My trainings",
    "Your schedule",
    "your time",
    "Program:",
    "Reason:",
    "PD hour",
    "on behalf of",
    "privacy",
    "cancelled",
    "Wed",
    "Mar 2027",
    "with ",
    "The attached",
)


def message(**changes: object) -> MessageContent:
    """A Spanish invite to a one-meeting training in New York, read by someone in Chicago."""
    base = MessageContent(
        kind="invite",
        recipient_name="Zoë Ñúñez",
        recipient_timezone="America/Chicago",
        title="Lectura temprana",
        program_title="Alfabetización",
        sensitive=False,
        meetings=(
            MeetingView(
                datetime(2027, 3, 10, 9, tzinfo=NEW_YORK),
                datetime(2027, 3, 10, 12, tzinfo=NEW_YORK),
                "America/New_York",
            ),
        ),
        location="Salón Lincoln, 12 Main St",
        join_url="https://meet.example.org/j/1",
        affiliate_name="Asociación de Educación de Ohio",
        reason="Pocas inscripciones",
        offering_id=77,
        locale="es",
        pd_hours=3,
        waitlist_position=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_word_has_its_spanish_form_with_the_same_placeholders() -> None:
    english, spanish = words.WORDS["en"], words.WORDS["es"]
    assert set(english) == set(spanish)
    for key, text in english.items():
        assert spanish[key].strip(), key
        assert placeholders(text) == placeholders(spanish[key]), key


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("body.*.j2")))
def test_booking_templates_hold_no_words_of_their_own(template: str) -> None:
    """Every word comes from `words.WORDS`, so none can stay English in a Spanish mail."""
    source = (TEMPLATES / template).read_text()
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>|&\w+;", " ", source)
    assert re.findall(r"[A-Za-z]{2,}", source) == []


@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_no_english_leaks_into_a_spanish_mail(kind: str) -> None:
    spanish = message(kind=kind, changed=("starts_at", "location"))
    subject = render_subject(spanish)
    text, html = render_bodies(spanish)
    for part in (subject, text, html):
        for word in ENGLISH:
            assert word not in part, (kind, word)
    assert text.startswith("Hola, Zoë Ñúñez:")
    assert '<html lang="es">' in html
    home = "Tu agenda" if kind.startswith("facilitator") else "Mis capacitaciones"
    assert home in text and "Sobre esta capacitación" in text


def test_spanish_dates_and_zones() -> None:
    text, _ = render_bodies(message())
    assert "mié 10 mar 2027, 09:00–12:00 EST (America/New_York)" in text
    assert "08:00–11:00 CST en tu zona horaria" in text
    assert render_subject(message()) == (
        "Inscripción confirmada: Lectura temprana — mié 10 mar 2027"
    )
    assert render_subject(message(kind="reminder")).endswith("mié 10 mar 2027, 08:00 CST")


@pytest.mark.parametrize(
    ("kind", "locale", "hours", "expected"),
    [
        ("invite", "en", 3, "This training counts for 3 PD hours."),
        ("reminder", "en", 1, "This training counts for 1 PD hour."),
        ("invite", "es", 3, "Esta capacitación cuenta por 3 horas de desarrollo profesional."),
        ("reminder", "es", 1.5, "cuenta por 1,5 horas de desarrollo profesional."),
    ],
)
def test_invites_and_reminders_name_the_pd_hours(
    kind: str, locale: str, hours: float, expected: str
) -> None:
    text, html = render_bodies(message(kind=kind, locale=locale, pd_hours=hours))
    assert expected in text and expected in html


def test_pd_hours_stay_out_of_other_kinds_and_of_trainings_without_any() -> None:
    for kind in ("update", "cancel", "waitlisted", "notice"):
        assert "desarrollo profesional." not in render_bodies(message(kind=kind))[0]
    assert "PD hour" not in render_bodies(message(locale="en", pd_hours=0))[0]


def moved(**changes: object) -> MessageContent:
    before = Before(
        starts_at=datetime(2027, 3, 10, 9, tzinfo=NEW_YORK),
        ends_at=datetime(2027, 3, 10, 12, tzinfo=NEW_YORK),
        location="Lincoln Hall",
        join_url=None,
    )
    return message(kind="update", recipient_timezone="America/New_York", before=before, **changes)


def test_update_says_what_changed_from_what_to_what() -> None:
    later = MeetingView(
        datetime(2027, 3, 10, 10, tzinfo=NEW_YORK),
        datetime(2027, 3, 10, 13, tzinfo=NEW_YORK),
        "America/New_York",
    )
    text, html = render_bodies(moved(locale="en", meetings=(later,), location="Roosevelt Hall"))
    assert "Time: Wed 10 Mar 2027, 09:00–12:00 → 10:00–13:00 EST" in text
    assert "Venue: Lincoln Hall → Roosevelt Hall" in text
    assert "Joining link: none → https://meet.example.org/j/1" in text
    assert "<li>Venue: Lincoln Hall → Roosevelt Hall</li>" in html
    spanish, _ = render_bodies(moved(meetings=(later,), location="Lincoln Hall", join_url=None))
    assert "Horario: mié 10 mar 2027, 09:00–12:00 → 10:00–13:00 EST" in spanish
    assert "Lugar:" not in spanish and "Enlace para unirse:" not in spanish


def test_a_move_to_another_day_shows_both_days() -> None:
    next_day = MeetingView(
        datetime(2027, 3, 11, 9, tzinfo=NEW_YORK),
        datetime(2027, 3, 11, 12, tzinfo=NEW_YORK),
        "America/New_York",
    )
    text, _ = render_bodies(moved(meetings=(next_day,), location="Lincoln Hall", join_url=None))
    assert "Horario: mié 10 mar 2027, 09:00–12:00 EST → jue 11 mar 2027, 09:00–12:00 EST" in text


def test_update_in_the_recipients_zone() -> None:
    later = MeetingView(
        datetime(2027, 3, 10, 10, tzinfo=NEW_YORK),
        datetime(2027, 3, 10, 13, tzinfo=NEW_YORK),
        "America/New_York",
    )
    chicago = replace(moved(locale="en", meetings=(later,)), recipient_timezone="America/Chicago")
    text, _ = render_bodies(chicago)
    assert "Time: Wed 10 Mar 2027, 08:00–11:00 → 09:00–12:00 CST" in text


@pytest.mark.parametrize(
    ("reason", "detail", "sensitive", "locale", "expected"),
    [
        ("by_educator", "", False, "en", "You cancelled your registration."),
        ("by_affiliate", "", False, "es", "El afiliado que organiza la capacitación canceló"),
        ("by_operator", "", False, "es", "El equipo de Cohort canceló tu inscripción."),
        ("offering_cancelled", "Flood", False, "en", "The training was cancelled: Flood"),
        ("offering_cancelled", "Inundación", False, "es", "La capacitación se canceló: Inundación"),
        ("offering_cancelled", "Queer youth day off", True, "en", "The training was cancelled."),
        ("registration_closed", "", False, "es", "La inscripción para esta capacitación ya cerró."),
        ("something_new", "", False, "en", "Your place on the waitlist is cancelled."),
    ],
)
def test_why_a_waitlist_place_ended(
    reason: str, detail: str, sensitive: bool, locale: str, expected: str
) -> None:
    said = words.cancel_reason(reason, detail, sensitive=sensitive, locale=locale)
    assert said.startswith(expected)


def test_waitlist_notice_names_the_training_or_stays_neutral() -> None:
    notice = message(kind="notice", reason="La capacitación se canceló.")
    assert render_subject(notice) == "Lugar en la lista de espera cancelado: Lectura temprana"
    text, _ = render_bodies(notice)
    assert "«Lectura temprana»" in text and "Motivo: La capacitación se canceló." in text
    secret = replace(notice, sensitive=True, locale="en")
    subject, (text, html) = render_subject(secret), render_bodies(secret)
    for part in (subject, text, html):
        assert "Lectura" not in part and "Alfabetización" not in part
    assert subject == "Waitlist place cancelled: Professional development session"


@pytest.mark.parametrize("kind", BOOKING_KINDS)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_kind_links_to_the_training_and_back_home(kind: str, locale: str) -> None:
    portal = get_settings().cohort_portal_url.rstrip("/")
    text, html = render_bodies(message(kind=kind, locale=locale))
    home = f"{portal}/facilitator" if kind.startswith("facilitator") else f"{portal}/me"
    for part in (text, html):
        assert f"{portal}/offerings/77" in part and home in part


@dataclass
class Booked:
    """A booking as rendering reads it."""

    recipient_kind: str = "educator"
    recipient_id: int = 5
    recipient_email: str = "zoe@example.org"
    recipient_name: str = "Zoë"
    recipient_timezone: str | None = "America/Chicago"
    recipient_locale: str = "es"
    meeting_id: int = 9
    offering_id: int = 77
    uid: str = "meeting-9-educator-5@c.test"
    sequence: int = 0
    status: str = "active"
    starts_at: datetime = datetime(2027, 3, 10, 14, tzinfo=UTC)
    ends_at: datetime = datetime(2027, 3, 10, 17, tzinfo=UTC)
    timezone: str = "America/New_York"
    title: str = "Jóvenes LGBTQ+"
    description: str = "Apoyo en el aula"
    program_title: str = "Escuelas seguras"
    affiliate_name: str = "OEA"
    sensitive: bool = True
    location: str | None = None
    join_url: str | None = "https://meet.example.org/j/1"
    pd_hours: float = 2
    reply_to: str | None = "training@oea.example.org"
    updated_at: datetime = datetime(2027, 1, 1, tzinfo=UTC)


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_booking_mail_replies_to_the_affiliate_and_its_calendar_speaks_spanish() -> None:
    sent = outgoing.booking_message(Booked(), "invite")
    assert sent.error is None
    parsed = parse(sent.message)
    assert parsed["Reply-To"] == "training@oea.example.org"
    assert str(parsed["Subject"]).startswith("Inscripción confirmada: Sesión de desarrollo")
    calendar = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    ics = calendar.get_content()
    assert "SUMMARY:Sesión de desarrollo profesional" in ics
    assert "Los detalles están en tu correo." in ics.replace("\r\n ", "")
    assert "LGBTQ" not in ics


def test_no_reply_to_without_a_usable_contact_address() -> None:
    for reply_to in (None, "", "not an address"):
        sent = outgoing.booking_message(Booked(reply_to=reply_to), "invite")
        assert sent.error is None and parse(sent.message)["Reply-To"] is None
    reminder = outgoing.reminder_message(Booked(sensitive=False), "24h")
    assert parse(reminder.message)["Reply-To"] == "training@oea.example.org"


def test_english_calendar_text_for_english_readers() -> None:
    event = outgoing.calendar_event(Booked(recipient_locale="en"), method="REQUEST")
    assert event.summary == "Professional development session"
    assert event.description == outgoing.NEUTRAL_DESCRIPTION
