"""Scheduler events through a real notifier worker (Redis, PostgreSQL) into a real SMTP server."""

import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import (
    CohortCancelled,
    CohortUpdated,
    Envelope,
    FacilitatorAssigned,
    FacilitatorUnassigned,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    Venue,
)
from tests.support.notifier import (
    addressed_to,
    calendar_of,
    cohort,
    meeting_at,
    new_id,
    notifier_worker,
    person,
    plain_text,
    publish,
    started,
    vevent_of,
    weekly_meetings,
    worker_env,
)
from tests.support.processes import Process
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def worker(sink: SmtpSink, test_env: dict[str, str], tmp_path_factory) -> Iterator[Process]:
    log_dir = tmp_path_factory.mktemp("notifier-flow")
    with started(notifier_worker(worker_env(test_env, sink), log_dir)) as process:
        yield process


def settle(email: str, *envelopes: Envelope, timeout: float = 20) -> None:
    """Wait until these events are applied and nothing for `email` is left to send."""
    processed = runtime.bus_tables.processed
    ids = [str(envelope.event_id) for envelope in envelopes]
    deadline = time.monotonic() + timeout
    with runtime.engine().connect() as connection:
        while time.monotonic() < deadline:
            done = connection.execute(
                select(func.count()).where(processed.c.event_id.in_(ids))
            ).scalar_one()
            waiting = connection.execute(
                select(func.count()).where(
                    delivery.c.recipient == email.lower(),
                    delivery.c.status.in_(("queued", "sending")),
                )
            ).scalar_one()
            connection.rollback()
            if done == len(ids) and waiting == 0:
                return
            time.sleep(0.1)
    raise TimeoutError(f"events not settled for {email}")


def mails(sink: SmtpSink, email: str, count: int) -> list[EmailMessage]:
    """Wait for `count` messages to `email` and return them parsed, in arrival order."""
    sink.wait_for(lambda messages: len(addressed_to(messages, email)) >= count, timeout=20)
    return [m.parsed() for m in addressed_to(sink.messages, email)]


def check_invite(message: EmailMessage, method: str, email: str) -> dict:
    """Check the MIME and iTIP rules every invite obeys; return the VEVENT's main fields."""
    assert message.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    mime_method, calendar = calendar_of(message)
    assert calendar is not None
    assert mime_method == method == str(calendar["METHOD"])
    assert calendar.walk("VTIMEZONE")
    event = vevent_of(message)
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list), "one attendee per invite"
    assert str(attendees).lower() == f"mailto:{email}".lower()
    cancelled = str(event["STATUS"]) == "CANCELLED"
    assert cancelled == (method == "CANCEL")
    if method == "CANCEL":
        assert not event.walk("VALARM")
    return {
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "start": event.decoded("DTSTART"),
        "summary": str(event["SUMMARY"]),
        "location": str(event.get("LOCATION", "")),
    }


def test_invite_update_cancel_lifecycle(sink: SmtpSink, worker: Process) -> None:
    educator = person()
    meetings = weekly_meetings(3)
    booked = cohort(meetings)
    registration = new_id()
    publish(RegistrationConfirmed(registration_id=registration, educator=educator, cohort=booked))
    invites = [check_invite(m, "REQUEST", educator.email) for m in mails(sink, educator.email, 3)]
    assert len({invite["uid"] for invite in invites}) == 3
    assert {invite["sequence"] for invite in invites} == {0}
    uid_of = {invite["start"]: invite["uid"] for invite in invites}
    first_uid = uid_of[meetings[0].starts_at_utc]

    moved = meetings[1].model_copy(
        update={
            "starts_at": meetings[1].starts_at + timedelta(days=1),
            "ends_at": meetings[1].ends_at + timedelta(days=1),
            "starts_at_utc": meetings[1].starts_at_utc + timedelta(days=1),
            "ends_at_utc": meetings[1].ends_at_utc + timedelta(days=1),
        }
    )
    added = meeting_at(meetings[2].starts_at_utc + timedelta(days=7))
    changed = booked.model_copy(update={"meetings": [meetings[0], moved, added]})
    publish(
        CohortUpdated(
            cohort=changed,
            changed=["meetings"],
            meetings_added=[added.id],
            meetings_moved=[moved.id],
            meetings_removed=[meetings[2]],
            recipients=[educator],
        )
    )
    after_update = mails(sink, educator.email, 6)[3:]
    by_method: dict[str, list[dict]] = {"REQUEST": [], "CANCEL": []}
    for message in after_update:
        method, _ = calendar_of(message)
        by_method[str(method)].append(check_invite(message, str(method), educator.email))
    update = next(i for i in by_method["REQUEST"] if i["uid"] == uid_of[meetings[1].starts_at_utc])
    assert update["sequence"] == 1 and update["start"] == moved.starts_at_utc
    new_invite = next(i for i in by_method["REQUEST"] if i["uid"] not in uid_of.values())
    assert new_invite["sequence"] == 0
    assert [c["uid"] for c in by_method["CANCEL"]] == [uid_of[meetings[2].starts_at_utc]]
    assert by_method["CANCEL"][0]["sequence"] == 1

    cancelled = publish(
        RegistrationCancelled(
            registration_id=registration,
            educator=educator,
            offering_id=changed.offering_id,
            previous_status="confirmed",
            reason="offering_cancelled",
            cohort=changed,
        )
    )
    cancels = [
        check_invite(m, "CANCEL", educator.email) for m in mails(sink, educator.email, 9)[6:]
    ]
    assert {c["uid"]: c["sequence"] for c in cancels} == {
        first_uid: 1,
        update["uid"]: 2,
        new_invite["uid"]: 1,
    }
    # The cohort's own cancellation finds nothing still active: no second CANCEL.
    again = publish(CohortCancelled(cohort=changed, reason="low enrolment", recipients=[educator]))
    settle(educator.email, cancelled, again)
    assert len(addressed_to(sink.messages, educator.email)) == 9


def test_waitlisted_notice_has_no_calendar_part(sink: SmtpSink, worker: Process) -> None:
    educator = person()
    meetings = weekly_meetings(2)
    publish(
        RegistrationWaitlisted(
            registration_id=new_id(),
            educator=educator,
            offering_id=new_id(),
            offering_title="Calm classrooms",
            program_title="Classroom Management",
            sensitive=False,
            timezone="America/New_York",
            position=4,
            meetings=meetings,
        )
    )
    (message,) = mails(sink, educator.email, 1)
    assert calendar_of(message) == (None, None)
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "position 4" in plain_text(message)


def test_sensitive_program_keeps_its_topic_out_of_the_invite(
    sink: SmtpSink, worker: Process
) -> None:
    educator = person()
    secret = "Trauma-informed response to abuse"
    booked = cohort(
        weekly_meetings(1), title=secret, program_title="Abuse Disclosure", sensitive=True
    )
    publish(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    (message,) = mails(sink, educator.email, 1)
    invite = check_invite(message, "REQUEST", educator.email)
    assert invite["summary"] == "Professional development session"
    whole = "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )
    assert secret not in whole and "Abuse" not in whole
    assert "Abuse" not in str(message["Subject"])


def test_non_ascii_survives(sink: SmtpSink, worker: Process) -> None:
    educator = person(name="Zoë Ångström-Nuñez")
    title = "Éducation inclusive — “débat” 日本語"
    booked = cohort(weekly_meetings(1), title=title)
    venue = Venue(name="Salle Émile-Zola", address="1 rue Lepic", city="Paris", state="OH")
    booked = booked.model_copy(update={"venue": venue})
    publish(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    (message,) = mails(sink, educator.email, 1)
    invite = check_invite(message, "REQUEST", educator.email)
    assert invite["summary"] == title
    assert "Salle Émile-Zola" in invite["location"]
    assert message["To"].addresses[0].display_name == "Zoë Ångström-Nuñez"
    assert title in str(message["Subject"])
    assert title in plain_text(message)


def test_the_same_event_three_times_sends_one_message(sink: SmtpSink, worker: Process) -> None:
    educator = person()
    event = RegistrationConfirmed(
        registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(1))
    )
    first = publish(event)
    from shared.bus import Publisher

    Publisher().send(first)  # the very same envelope again
    third = publish(event)  # the same event under a new envelope id
    settle(educator.email, first, third)
    assert len(addressed_to(sink.messages, educator.email)) == 1


def test_facilitator_invite_and_cancel(sink: SmtpSink, worker: Process) -> None:
    facilitator = person(kind="facilitator", name="Sam Lead")
    booked = cohort(weekly_meetings(2))
    assignment = new_id()
    publish(FacilitatorAssigned(assignment_id=assignment, facilitator=facilitator, cohort=booked))
    invites = mails(sink, facilitator.email, 2)
    assert {m["X-Cohort-Kind"] for m in invites} == {"facilitator_invite"}
    publish(
        FacilitatorUnassigned(
            assignment_id=assignment, facilitator=facilitator, cohort=booked, reason="ill"
        )
    )
    cancels = mails(sink, facilitator.email, 4)[2:]
    assert {m["X-Cohort-Kind"] for m in cancels} == {"facilitator_cancel"}
    assert {check_invite(m, "CANCEL", facilitator.email)["sequence"] for m in cancels} == {1}


def test_mail_log_masks_the_address(sink: SmtpSink, worker: Process) -> None:
    educator = person()
    publish(
        RegistrationConfirmed(
            registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(1))
        )
    )
    mails(sink, educator.email, 1)
    time.sleep(0.3)
    log = worker.log()
    assert '"msg": "mail sent"' in log
    assert educator.email not in log
