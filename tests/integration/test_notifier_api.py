"""The notifier's HTTP API on PostgreSQL: the delivery ledger and live calendar feeds."""

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
from tests.support.tokens import (
    bearer,
    educator_token,
    facilitator_token,
    member_token,
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


def feed(client: TestClient, token: str) -> Any:
    response = client.get(f"/calendars/{token}.ics")
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


def test_facilitator_feed(client: TestClient) -> None:
    facilitator = person(kind="facilitator")
    booked = cohort(weekly_meetings(2, first=None))
    apply(FacilitatorAssigned(assignment_id=new_id(), facilitator=facilitator, cohort=booked))
    calendar = feed(client, facilitator_token(facilitator.id))
    assert len(calendar.walk("VEVENT")) == 2
    forget_deliveries(facilitator.email)


def test_feed_of_someone_with_no_bookings_is_empty(client: TestClient) -> None:
    calendar = feed(client, educator_token(new_id(), "someone@schools.example.org"))
    assert calendar.walk("VEVENT") == []


def test_feed_refuses_bad_tokens(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.get("/calendars/not-a-token.ics").status_code == 401
    forged = sign_with_another_key()
    assert client.get(f"/calendars/{forged}.ics").status_code == 401
    operator = admin_headers["Authorization"].removeprefix("Bearer ")
    assert client.get(f"/calendars/{operator}.ics").status_code == 403
    affiliate = member_token(3)
    assert client.get(f"/calendars/{affiliate}.ics").status_code == 403


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
    educator = bearer(educator_token(1, "someone@schools.example.org"))
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
