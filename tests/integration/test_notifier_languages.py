"""Mail in the person's language, with Reply-To the affiliate, through a real notifier worker
(Redis, PostgreSQL) into a real SMTP server: invites, updates from what to what, `person.updated`
and the waitlist-cancel notice."""

# ruff: noqa: RUF001 - en dashes between times are the expected text

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from shared.bus import Publisher
from shared.events import (
    CohortUpdated,
    Event,
    FacilitatorAssigned,
    Meeting,
    PersonUpdated,
    Recipient,
    RegistrationCancelled,
    RegistrationConfirmed,
    Venue,
    wrap,
)
from shared.settings import get_settings
from tests.support.notifier import (
    addressed_to,
    apply,
    cohort,
    forget_deliveries,
    meeting_at,
    new_id,
    notifier_worker,
    person,
    plain_text,
    publish,
    started,
    vevent_of,
    worker_env,
)
from tests.support.processes import Process
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.timeout(120)
CONTACT = "training@ohea.example.org"
# 2027-03-10 is a Wednesday; 14:00 UTC is 09:00 in New York, 08:00 in Chicago.
FIRST = datetime(2027, 3, 10, 14, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def worker(sink: SmtpSink, test_env: dict[str, str], tmp_path_factory) -> Iterator[Process]:
    log_dir = tmp_path_factory.mktemp("notifier-languages")
    with started(notifier_worker(worker_env(test_env, sink), log_dir)) as process:
        yield process


def mails(sink: SmtpSink, email: str, count: int) -> list[EmailMessage]:
    """Wait for `count` messages to `email`; every one leads back to the training and home."""
    sink.wait_for(lambda messages: len(addressed_to(messages, email)) >= count, timeout=20)
    found = [m.parsed() for m in addressed_to(sink.messages, email)]
    portal = get_settings().cohort_portal_url.rstrip("/")
    for message in found:
        text = plain_text(message)
        assert f"{portal}/offerings/" in text, text
        assert f"{portal}/me" in text or f"{portal}/facilitator" in text, text
    return found


def spanish(kind: str = "educator") -> Recipient:
    return person(kind, name="Lucía Pérez").model_copy(update={"locale": "es"})


def announce(event: Event) -> None:
    """Put an accounts event on the bus."""
    Publisher().send(wrap(event, producer="accounts"))


def confirmed(educator: Recipient, **changes: object) -> RegistrationConfirmed:
    booked = cohort(
        [meeting_at(FIRST, hours=3)], pd_hours=3, affiliate_contact_email=CONTACT, **changes
    )
    return RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked)


def test_a_spanish_invite_replies_to_the_affiliate_and_names_the_pd_hours(
    sink: SmtpSink, worker: Process
) -> None:
    educator = spanish()
    publish(confirmed(educator, sensitive=True, title="Jóvenes LGBTQ+ en el aula"))
    (message,) = mails(sink, educator.email, 1)
    assert message["Reply-To"] == CONTACT
    assert str(message["Subject"]) == (
        "Inscripción confirmada: Sesión de desarrollo profesional — mié 10 mar 2027"
    )
    text = plain_text(message)
    assert text.startswith("Hola, Lucía Pérez:")
    assert "Esta capacitación cuenta por 3 horas de desarrollo profesional." in text
    assert "mié 10 mar 2027, 09:00–12:00 EST (America/New_York)" in text
    assert "LGBTQ" not in text
    event = vevent_of(message)
    assert str(event["SUMMARY"]) == "Sesión de desarrollo profesional"
    assert "Los detalles están en tu correo." in str(event["DESCRIPTION"])


def test_a_facilitator_without_a_contact_address_gets_no_reply_to(
    sink: SmtpSink, worker: Process
) -> None:
    facilitator = spanish("facilitator")
    booked = cohort([meeting_at(FIRST, hours=3)], title="Lectura temprana")
    publish(FacilitatorAssigned(assignment_id=new_id(), facilitator=facilitator, cohort=booked))
    (message,) = mails(sink, facilitator.email, 1)
    assert message["Reply-To"] is None
    assert str(message["Subject"]).startswith("Asignación de facilitación: Lectura temprana")
    assert "Tu agenda:" in plain_text(message)
    assert str(vevent_of(message)["SUMMARY"]) == "Lectura temprana"


def moved(meeting: Meeting, hours: int) -> Meeting:
    step = timedelta(hours=hours)
    return meeting.model_copy(
        update={
            name: getattr(meeting, name) + step
            for name in ("starts_at", "ends_at", "starts_at_utc", "ends_at_utc")
        }
    )


def test_an_update_says_what_changed_from_what_to_what_in_the_readers_language(
    sink: SmtpSink, worker: Process
) -> None:
    educator = spanish()
    invite = confirmed(educator)
    publish(invite)
    mails(sink, educator.email, 1)
    later = invite.cohort.model_copy(
        update={
            "meetings": [moved(invite.cohort.meetings[0], 1)],
            "venue": Venue(name="Salón Norte", address="1 High St", city="Columbus", state="OH"),
        }
    )
    publish(
        CohortUpdated(
            cohort=later,
            changed=["meetings", "venue"],
            meetings_moved=[later.meetings[0].id],
            recipients=[educator],
        )
    )
    update = mails(sink, educator.email, 2)[1]
    assert update["Reply-To"] == CONTACT
    text = plain_text(update)
    assert "Qué cambió:" in text
    assert "Horario: mié 10 mar 2027, 08:00–11:00 → 09:00–12:00 CST" in text
    assert "Lugar: OEA Center, 225 E Broad St, Columbus, OH → Salón Norte, 1 High St" in text
    # The person switches to English: the next update is in English, an older change is ignored.
    now = datetime.now(UTC)
    announce(PersonUpdated(person_id=educator.id, name="Lucy", locale="en", updated_at=now))
    stale = now - timedelta(minutes=1)
    announce(PersonUpdated(person_id=educator.id, name="Lucía", locale="es", updated_at=stale))
    third = later.model_copy(update={"meetings": [moved(later.meetings[0], 24)]})
    # The person.updated events go first on the same queue, so the worker applies them first.
    publish(
        CohortUpdated(
            cohort=third,
            changed=["meetings"],
            meetings_moved=[third.meetings[0].id],
            recipients=[educator.model_copy(update={"name": "Lucy", "locale": "en"})],
        )
    )
    text = plain_text(mails(sink, educator.email, 3)[2])
    assert text.startswith("Hello Lucy,")
    assert "Time: Wed 10 Mar 2027, 09:00–12:00 CST → Thu 11 Mar 2027, 09:00–12:00 CST" in text


def waitlist_cancelled(educator: Recipient, **fields: object) -> RegistrationCancelled:
    return RegistrationCancelled(
        registration_id=new_id(),
        educator=educator,
        offering_id=new_id(),
        previous_status="waitlisted",
        affiliate_contact_email=CONTACT,
        **fields,
    )


def test_the_waitlist_cancel_notice_names_the_training_and_why(
    sink: SmtpSink, worker: Process
) -> None:
    educator = spanish()
    publish(
        waitlist_cancelled(
            educator,
            reason="offering_cancelled",
            offering_title="Lectura temprana",
            program_title="Alfabetización",
            sensitive=False,
            detail="El local cerró",
        )
    )
    (message,) = mails(sink, educator.email, 1)
    assert str(message["Subject"]) == "Lugar en la lista de espera cancelado: Lectura temprana"
    assert message["Reply-To"] == CONTACT
    text = plain_text(message)
    assert "Tu lugar en la lista de espera de «Lectura temprana» está cancelado." in text
    assert "Motivo: La capacitación se canceló: El local cerró" in text


def test_a_sensitive_waitlist_cancel_notice_stays_neutral(sink: SmtpSink, worker: Process) -> None:
    educator = person()
    publish(
        waitlist_cancelled(
            educator,
            reason="offering_cancelled",
            offering_title="Queer youth: safe schools",
            program_title="Safe Schools",
            sensitive=True,
            detail="Queer youth day moved",
        )
    )
    (message,) = mails(sink, educator.email, 1)
    subject, text = str(message["Subject"]), plain_text(message)
    assert subject == "Waitlist place cancelled: Professional development session"
    assert "Reason: The training was cancelled." in text
    for part in (subject, text, str(message.get_body(("html",)))):
        assert "Queer" not in part and "Safe" not in part
    educator = person()
    publish(
        waitlist_cancelled(
            educator, reason="by_educator", offering_title="Calm classrooms", sensitive=False
        )
    )
    text = plain_text(mails(sink, educator.email, 1)[0])
    assert "Reason: You cancelled your registration." in text and "“Calm classrooms”" in text


def held_by(recipient: Recipient) -> list[tuple[str, str | None, str]]:
    """(name, zone, language) of each booking the notifier holds of a recipient."""
    from sqlmodel import Session, select

    from services.notifier.database import runtime
    from services.notifier.models import Booking

    with Session(runtime.engine()) as session:
        rows = session.exec(select(Booking).where(Booking.recipient_id == recipient.id)).all()
        return [(b.recipient_name, b.recipient_timezone, b.recipient_locale) for b in rows]


def test_person_updated_reaches_the_bookings_once_and_never_backwards() -> None:
    educator = spanish()
    apply(confirmed(educator))
    forget_deliveries(educator.email)  # this test reads the bookings, not the mail
    assert held_by(educator) == [("Lucía Pérez", "America/Chicago", "es")]
    now = datetime.now(UTC)
    newer = PersonUpdated(
        person_id=educator.id, name="Lucy", timezone="Europe/Madrid", locale="en", updated_at=now
    )
    apply(newer, times=2)
    older = PersonUpdated(person_id=educator.id, name="Old", locale="es", updated_at=now - HOUR)
    apply(older)
    assert held_by(educator) == [("Lucy", "Europe/Madrid", "en")]
    # A nameless change keeps the name and zone held.
    apply(PersonUpdated(person_id=educator.id, name=" ", locale="es", updated_at=now + HOUR))
    assert held_by(educator) == [("Lucy", "Europe/Madrid", "es")]
