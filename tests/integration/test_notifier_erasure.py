"""`person.erased` in the notifier (PostgreSQL): the ledger, bookings, reminders and feed keep
their rows but lose the person's name and email, and nothing is sent to them afterwards."""

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from services.notifier.main import app
from services.notifier.models import Booking, Reminder
from shared.events import (
    CohortCancelled,
    CohortUpdated,
    Envelope,
    PersonErased,
    Recipient,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    SignInRequested,
    wrap,
)
from tests.support.erasure import places_holding, row_counts
from tests.support.notifier import apply, cohort, new_id, person, weekly_meetings
from tests.support.tokens import bearer, educator_token

ERASED = "recipient erased"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def erased_snapshot(someone: Recipient) -> Recipient:
    """The recipient as the scheduler sends them once it has erased them too."""
    address = f"erased-{someone.id}@invalid"
    return someone.model_copy(update={"name": "Erased person", "email": address})


def waitlisted(someone: Recipient) -> RegistrationWaitlisted:
    return RegistrationWaitlisted(
        registration_id=new_id(),
        educator=someone,
        offering_id=new_id(),
        offering_title="Restorative circles",
        program_title="Restorative Practice",
        sensitive=False,
        timezone="America/New_York",
        position=2,
        meetings=weekly_meetings(1),
    )


def sign_in(someone: Recipient) -> SignInRequested:
    expires = datetime.now(UTC) + timedelta(minutes=15)
    link = f"http://127.0.0.1:8000/sign-in/confirm?code={secrets.token_urlsafe(8)}"
    return SignInRequested(email=someone.email, name=someone.name, link=link, expires_at=expires)


def their_rows(someone: Recipient) -> list[Any]:
    """The person's ledger rows: by person id, or by their address (before or after erasure)."""
    addresses = [someone.email.lower(), f"erased-{someone.id}@invalid"]
    with runtime.engine().connect() as connection:
        query = select(delivery).where(
            (delivery.c.person_id == someone.id) | delivery.c.recipient.in_(addresses)
        )
        return list(connection.execute(query.order_by(delivery.c.id)).all())


def fail_one_with_the_address_in_its_error(someone: Recipient) -> None:
    """An SMTP refusal quoting the address, as servers write them."""
    row_id = their_rows(someone)[0].id
    error = f"550 <{someone.email}> mailbox unavailable"
    with runtime.engine().begin() as connection:
        connection.execute(
            update(delivery).where(delivery.c.id == row_id).values(status="failed", error=error)
        )


def park_event_naming(someone: Recipient) -> None:
    payload = json.loads(wrap(sign_in(someone), producer="accounts").model_dump_json())
    row = {
        "event_id": payload["event_id"],
        "type": payload["type"],
        "consumer": "notifier",
        "payload": json.dumps(payload),
        "error": "parked for the test",
        "attempts": 1,
        "died_at": datetime.now(UTC),
    }
    with runtime.engine().begin() as connection:
        connection.execute(insert(runtime.bus_tables.dead).values(row))


def erase(someone: Recipient, envelope: Envelope | None = None) -> tuple[Envelope, bool]:
    """Apply `person.erased` through the notifier's consumer: the envelope, whether it applied."""
    from services.notifier.tasks import consumer

    event = PersonErased(person_id=someone.id, erased_at=datetime.now(UTC))
    envelope = envelope or wrap(event, producer="accounts")
    return envelope, consumer.apply_once(envelope)


def statuses(someone: Recipient) -> tuple[set[str], set[str]]:
    """The statuses of the person's bookings, and of their reminders."""
    from sqlmodel import Session, col
    from sqlmodel import select as select_model

    with Session(runtime.engine()) as session:
        booked = select_model(Booking).where(Booking.recipient_id == someone.id)
        held = list(session.exec(booked).all())
        ids = [booking.id for booking in held]
        due = select_model(Reminder).where(col(Reminder.booking_id).in_(ids))
        return {b.status for b in held}, {r.status for r in session.exec(due).all()}


def test_erasure_blanks_the_ledger_and_sends_them_nothing_more(client: TestClient) -> None:
    educator = person(name=f"Zed Erasable {secrets.token_hex(4)}")
    booked = cohort(weekly_meetings(2))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    apply(waitlisted(educator))
    apply(sign_in(educator))
    fail_one_with_the_address_in_its_error(educator)
    park_event_naming(educator)
    token = educator_token(educator.id, educator.email)
    feed = client.get("/feeds/me", headers=bearer(token)).json()["url"]
    engine = runtime.engine()
    needles = [educator.name, educator.email]
    assert len(places_holding(engine, needles)) >= 4
    counts = row_counts(engine)
    processed = counts["processed_events"]
    assert statuses(educator) == ({"active"}, {"pending"})

    envelope, applied = erase(educator)
    assert applied

    assert places_holding(engine, needles) == []
    after = row_counts(engine)
    assert after.pop("processed_events") == counts.pop("processed_events") + 1
    assert after.pop("ended") == counts.pop("ended") + 1
    assert after.pop("feed_secret") == counts.pop("feed_secret") - 1
    assert after == counts
    rows = their_rows(educator)
    assert len(rows) == 4  # two invites, the waitlist notice, the sign-in mail
    assert {row.recipient for row in rows} == {f"erased-{educator.id}@invalid"}
    assert all(row.status == "failed" and row.message == b"" for row in rows)
    assert sum(row.error == ERASED for row in rows) == 3
    assert statuses(educator) == ({"cancelled"}, {"cancelled"})
    assert client.get(feed.removeprefix("http://127.0.0.1:8003")).status_code == 404

    erased = erased_snapshot(educator)
    later = cohort(weekly_meetings(1))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=erased, cohort=later))
    apply(waitlisted(erased))
    apply(CohortUpdated(cohort=booked, changed=["title"], recipients=[erased]))
    apply(CohortCancelled(cohort=booked, reason="offering_cancelled", recipients=[erased]))
    assert their_rows(educator) == rows  # nothing new for them, nothing changed
    assert erase(educator, envelope) == (envelope, False)  # the same delivery again
    assert erase(educator)[1]  # a new one changes nothing either
    assert their_rows(educator) == rows
    assert places_holding(engine, needles) == []
    assert row_counts(engine)["processed_events"] == processed + 2
