"""The notifier's HTTP API on PostgreSQL: the delivery ledger and live calendar feeds read
by their feed secret."""

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from services.notifier.main import app
from services.notifier.rendering.content import NEUTRAL_SUMMARY
from shared.events import CohortUpdated, FacilitatorAssigned, Recipient, RegistrationConfirmed
from tests.support.notifier import (
    apply,
    calendar_of,
    cohort,
    forget_deliveries,
    new_id,
    person,
    weekly_meetings,
)
from tests.support.registry import registry_client
from tests.support.tokens import (
    bearer,
    educator_token,
    facilitator_token,
    next_person_id,
    person_token,
    sign_with_another_key,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    someone = person(name="Zoë Teacher")
    yield someone
    forget_deliveries(someone.email)


def invite_uids(email: str) -> set[str]:
    with runtime.engine().connect() as connection:
        rows = connection.execute(
            select(delivery.c.message).where(
                delivery.c.recipient == email.lower(), delivery.c.kind == "invite"
            )
        ).scalars()
        uids = set()
        for raw in rows:
            _, calendar = calendar_of(message_from_bytes(raw, policy=policy.default))
            uids.add(str(calendar.walk("VEVENT")[0]["UID"]))
        return uids


def feed_url(client: TestClient, token: str, *, reset: bool = False) -> str:
    """The feed URL `GET /feeds/me` (or a reset) hands the token's holder."""
    if reset:
        response = client.post("/feeds/me/reset", headers=bearer(token))
    else:
        response = client.get("/feeds/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["webcal_url"] == "webcal://" + body["url"].removeprefix("http://")
    return str(body["url"])


def secret_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def feed(client: TestClient, token: str) -> Any:
    url = feed_url(client, token)
    assert url.startswith("http://127.0.0.1:8003/calendars/")
    response = client.get(f"/calendars/{secret_of(url)}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content.decode("utf-8"))


def test_feed_is_a_publish_calendar_with_the_invites_uids(
    client: TestClient, educator: Recipient
) -> None:
    meetings = weekly_meetings(3)
    booked = cohort(meetings)
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    shorter = booked.model_copy(update={"meetings": meetings[:2]})
    apply(
        CohortUpdated(
            cohort=shorter,
            changed=["meetings"],
            meetings_removed=[meetings[2]],
            recipients=[educator],
        )
    )
    calendar = feed(client, educator_token(educator.id, "someone@schools.example.org"))
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == invite_uids(educator.email)
    assert all("ATTENDEE" not in e for e in events)
    status = {e.decoded("DTSTART"): str(e["STATUS"]) for e in events}
    assert status == {
        meetings[0].starts_at_utc: "CONFIRMED",
        meetings[1].starts_at_utc: "CONFIRMED",
        meetings[2].starts_at_utc: "CANCELLED",
    }
    cancelled = next(e for e in events if str(e["STATUS"]) == "CANCELLED")
    assert int(cancelled["SEQUENCE"]) == 1


def test_a_facilitator_feed_holds_their_cohorts_and_their_own_trainings(
    client: TestClient,
) -> None:
    facilitator = person(kind="facilitator")
    led = cohort(weekly_meetings(2, first=None))
    apply(FacilitatorAssigned(assignment_id=new_id(), facilitator=facilitator, cohort=led))
    as_educator = facilitator.model_copy(update={"kind": "educator"})
    attended = cohort(weekly_meetings(1, first=led.meetings[0].starts_at_utc + timedelta(days=1)))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=as_educator, cohort=attended))
    calendar = feed(client, facilitator_token(facilitator.id))
    assert len(calendar.walk("VEVENT")) == 3
    forget_deliveries(facilitator.email)


def test_a_sensitive_program_stays_discreet_in_the_feed(
    client: TestClient, educator: Recipient
) -> None:
    booked = cohort(weekly_meetings(1), sensitive=True, title="Grief support for staff")
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    calendar = feed(client, educator_token(educator.id, educator.email))
    (event,) = calendar.walk("VEVENT")
    text = calendar.to_ical().decode()
    assert "Grief" not in text and "Classroom Management" not in text
    assert str(event["SUMMARY"]) == NEUTRAL_SUMMARY
    assert str(event["CLASS"]) == "PRIVATE"


def registration_ics(client: TestClient, token: str | None, registration_id: object) -> Any:
    headers = bearer(token) if token else {}
    path = f"/calendars/me/registrations/{registration_id}.ics"
    return client.get(path, headers=headers)


def test_a_registration_calendar_holds_its_meetings_under_the_invites_uids(
    client: TestClient, educator: Recipient
) -> None:
    meetings = weekly_meetings(3)
    registration_id = new_id()
    booked = cohort(meetings, title="Restorative circles")
    apply(RegistrationConfirmed(registration_id=registration_id, educator=educator, cohort=booked))
    other = cohort(weekly_meetings(1, first=meetings[0].starts_at_utc + timedelta(days=1)))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=other))
    answer = registration_ics(client, educator_token(educator.id, educator.email), registration_id)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    calendar = Calendar.from_ical(answer.content.decode("utf-8"))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Restorative circles"
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [m.starts_at_utc for m in meetings]
    assert {str(e["UID"]) for e in events} < invite_uids(educator.email)
    assert all(e.decoded("SEQUENCE") == 0 and "ATTENDEE" not in e for e in events)


def test_a_registration_calendar_is_its_holders_only(
    client: TestClient, educator: Recipient
) -> None:
    registration_id = new_id()
    booked = cohort(weekly_meetings(1))
    apply(RegistrationConfirmed(registration_id=registration_id, educator=educator, cohort=booked))
    stranger = educator_token(next_person_id(), "stranger@schools.example.org")
    assert registration_ics(client, stranger, registration_id).status_code == 404
    mine = educator_token(educator.id, educator.email)
    assert registration_ics(client, mine, new_id()).status_code == 404
    assert registration_ics(client, None, registration_id).status_code == 401
    invalid = registration_ics(client, mine, "twelve")
    assert invalid.status_code == 422 and "registration_id" in invalid.text


def test_a_sensitive_registration_calendar_names_no_program(
    client: TestClient, educator: Recipient
) -> None:
    registration_id = new_id()
    booked = cohort(weekly_meetings(2), sensitive=True, title="Grief support for staff")
    apply(RegistrationConfirmed(registration_id=registration_id, educator=educator, cohort=booked))
    token = educator_token(educator.id, educator.email)
    answer = registration_ics(client, token, registration_id)
    assert answer.status_code == 200, answer.text
    text = answer.content.decode("utf-8")
    assert "Grief" not in text and "Classroom Management" not in text
    calendar = Calendar.from_ical(text)
    assert str(calendar["X-WR-CALNAME"]) == NEUTRAL_SUMMARY
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert all(str(e["SUMMARY"]) == NEUTRAL_SUMMARY for e in events)
    assert all(str(e["CLASS"]) == "PRIVATE" for e in events)


def test_feed_of_someone_with_no_bookings_is_empty(client: TestClient) -> None:
    calendar = feed(client, educator_token(new_id(), "someone@schools.example.org"))
    assert calendar.walk("VEVENT") == []


def test_the_feed_url_stays_the_same_until_a_reset_which_ends_the_old_one(
    client: TestClient,
) -> None:
    token = educator_token(new_id(), "someone@schools.example.org")
    first = feed_url(client, token)
    assert feed_url(client, token) == first
    assert len(secret_of(first)) >= 43
    renewed = feed_url(client, token, reset=True)
    assert renewed != first and feed_url(client, token) == renewed
    assert client.get(f"/calendars/{secret_of(first)}.ics").status_code == 404
    assert client.get(f"/calendars/{secret_of(renewed)}.ics").status_code == 200


def test_feed_secrets_are_not_access_tokens_and_access_tokens_are_not_feed_secrets(
    client: TestClient,
) -> None:
    token = educator_token(new_id(), "someone@schools.example.org")
    secret = secret_of(feed_url(client, token))
    assert client.get("/feeds/me", headers=bearer(secret)).status_code == 401
    with registry_client() as registry:
        assert registry.get("/offerings", headers=bearer(secret)).status_code == 401
    assert client.get(f"/calendars/{token}.ics").status_code == 404
    assert client.get("/calendars/not-a-secret.ics").status_code == 404
    assert client.get(f"/calendars/{sign_with_another_key()}.ics").status_code == 404


def test_only_educators_and_facilitators_have_feeds(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    member = person_token(
        new_id(), [{"role": "affiliate", "affiliate_id": 3, "member_role": "admin"}]
    )
    for headers in (admin_headers, bearer(member)):
        assert client.get("/feeds/me", headers=headers).status_code == 403
        assert client.post("/feeds/me/reset", headers=headers).status_code == 403
    assert client.get("/feeds/me").status_code == 401


def test_deliveries_filters_and_pages(
    client: TestClient, educator: Recipient, admin_headers: dict[str, str]
) -> None:
    apply(
        RegistrationConfirmed(
            registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(3))
        )
    )
    url = "/deliveries"
    query = {"recipient": educator.email.upper(), "kind": "invite", "limit": 2}
    first = client.get(url, params=query, headers=admin_headers).json()
    assert first["total"] == 3 and len(first["items"]) == 2
    rest = client.get(url, params={**query, "offset": 2}, headers=admin_headers).json()
    items = first["items"] + rest["items"]
    assert len({item["uid"] for item in items}) == 3
    assert {item["recipient"] for item in items} == {educator.email.lower()}
    assert set(items[0]) >= {
        "id", "recipient", "kind", "status", "method", "uid", "sequence",
        "attempts", "created_at", "sent_at", "error",
    }  # fmt: skip
    assert (
        client.get(url, params={**query, "kind": "cancel"}, headers=admin_headers).json()["total"]
        == 0
    )


def test_deliveries_reject_bad_input_and_other_roles(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    bad_kind = client.get("/deliveries", params={"kind": "spam"}, headers=admin_headers)
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["loc"] == ["query", "kind"]
    too_many = client.get("/deliveries", params={"limit": 101}, headers=admin_headers)
    assert too_many.status_code == 422
    educator = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
    assert client.get("/deliveries", headers=educator).status_code == 403
    assert client.get("/deliveries").status_code == 401


def test_meeting_moves_show_in_the_feed(client: TestClient, educator: Recipient) -> None:
    meetings = weekly_meetings(1)
    booked = cohort(meetings)
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    later = meetings[0].model_copy(
        update={
            key: getattr(meetings[0], key) + timedelta(hours=2)
            for key in ("starts_at", "ends_at", "starts_at_utc", "ends_at_utc")
        }
    )
    apply(
        CohortUpdated(
            cohort=booked.model_copy(update={"meetings": [later]}),
            changed=["meetings"],
            meetings_moved=[later.id],
            recipients=[educator],
        )
    )
    token = educator_token(educator.id, "someone@schools.example.org")
    (event,) = feed(client, token).walk("VEVENT")
    assert event.decoded("DTSTART") == later.starts_at_utc
    assert int(event["SEQUENCE"]) == 1


def test_a_trimmed_failed_message_is_not_retried(
    client: TestClient, admin_headers: dict[str, str], educator: Recipient
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    now = datetime.now(UTC)
    row = {
        "recipient": educator.email.lower(),
        "kind": "invite",
        "status": "failed",
        "next_attempt_at": now,
        "created_at": now,
        "message": b"To: someone\r\n\r\n",
        "message_sha256": "0" * 64,
        "trimmed_at": now,
    }
    with runtime.engine().begin() as connection:
        delivery_id = connection.execute(insert(delivery).returning(delivery.c.id), row).scalar()
    answer = client.post(f"/deliveries/{delivery_id}/retry", headers=admin_headers)
    assert answer.status_code == 409 and "retention" in answer.json()["detail"]
