"""The person's language and the affiliate's contact address in the scheduler (PostgreSQL):
profiles take `locale` from the token and follow `person.updated`; events carry both on."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from services.scheduler.database import runtime
from services.scheduler.models import Educator, Facilitator
from services.scheduler.tasks import consumer
from shared import events
from shared.events import wrap
from tests.support.scheduler import (
    ZONE,
    apply,
    new_facilitator,
    offering_state,
    outbox_events,
    program_code,
    publish,
    register,
)
from tests.support.tokens import bearer, educator_token, next_person_id

CONTACT = "training@ohea.example.org"


def spanish_educator(name: str = "Lucía") -> dict[str, Any]:
    """A person signed in with Spanish as their language."""
    email = f"lucia-{secrets.token_hex(5)}@schools.example.org"
    person_id = next_person_id()
    token = educator_token(person_id, email, name, zoneinfo=ZONE, locale="es")
    return {"id": person_id, "name": name, "email": email, "headers": bearer(token)}


def updated(person_id: int, at: datetime, **values: Any) -> tuple[events.Envelope, bool]:
    """Apply `person.updated` as the scheduler worker does; the envelope, whether it applied."""
    event = events.PersonUpdated(person_id=person_id, updated_at=at, **values)
    envelope = wrap(event, producer="accounts")
    return envelope, consumer.apply_once(envelope)


def profile(model: type[Educator] | type[Facilitator], person_id: int) -> Any:
    with Session(runtime.engine()) as session:
        return session.get(model, person_id)


def test_the_profile_takes_the_tokens_language_and_events_carry_it_with_the_contact(
    client: TestClient,
) -> None:
    state = publish(offering_state(capacity=1, affiliate_contact_email=CONTACT))
    first, second = spanish_educator(), spanish_educator("Rosa")
    register(client, first, state.id)
    waiting = register(client, second, state.id)
    assert profile(Educator, first["id"]).locale == "es"
    (confirmed,) = [
        e for e in outbox_events("registration.confirmed") if e["educator"]["id"] == first["id"]
    ]
    assert confirmed["educator"]["locale"] == "es"
    assert confirmed["cohort"]["affiliate_contact_email"] == CONTACT
    (queued,) = outbox_events("registration.waitlisted", registration_id=waiting["id"])
    assert queued["educator"]["locale"] == "es"
    assert queued["affiliate_contact_email"] == CONTACT


def test_a_cancelled_offering_tells_the_waitlist_what_and_why(client: TestClient) -> None:
    state = publish(offering_state(capacity=1, title="Lectura temprana"))
    register(client, spanish_educator(), state.id)
    waiting = register(client, spanish_educator("Rosa"), state.id)
    cancelled = state.model_copy(update={"status": "cancelled", "version": state.version + 1})
    apply(events.OfferingCancelled(offering=cancelled, reason="El local cerró"))
    (event,) = outbox_events("registration.cancelled", registration_id=waiting["id"])
    assert event["previous_status"] == "waitlisted" and event["cohort"] is None
    assert event["offering_title"] == "Lectura temprana"
    assert event["detail"] == "El local cerró" and event["sensitive"] is False


def test_person_updated_changes_the_profiles_once_and_never_backwards(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    educator = spanish_educator()
    register(client, educator, publish(offering_state()).id)
    now = datetime.now(UTC)
    envelope, applied = updated(
        educator["id"], now, name="Lucía Pérez", timezone="America/Chicago", locale="en"
    )
    assert applied
    row = profile(Educator, educator["id"])
    assert (row.name, row.timezone, row.locale) == ("Lucía Pérez", "America/Chicago", "en")
    assert not consumer.apply_once(envelope)  # the same event again does nothing
    _, applied = updated(educator["id"], now - timedelta(minutes=5), name="Old", locale="es")
    assert applied  # consumed, but older than what the profile holds
    row = profile(Educator, educator["id"])
    assert (row.name, row.locale) == ("Lucía Pérez", "en")
    facilitator = new_facilitator(client, admin_headers, program_code())
    updated(facilitator["id"], now, name="", timezone=None, locale="es")
    row = profile(Facilitator, facilitator["id"])
    assert row.locale == "es" and row.timezone == ZONE and row.name == facilitator["name"]


def test_person_updated_for_someone_unknown_changes_nothing() -> None:
    _, applied = updated(next_person_id(), datetime.now(UTC), name="Nobody", locale="es")
    assert applied
