"""Registry: events go to the outbox with the full offering and reach the scheduler's queue once."""

import base64
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
from fastapi.testclient import TestClient

from shared.events import Envelope, OfferingPublished, OfferingUpdated, unwrap
from tests.support.registry import (
    Json,
    make_affiliate,
    make_offering,
    make_program,
    outbox_events,
    registry_client,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.fixture(scope="module")
def owner(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_affiliate(client, admin_headers, state="OH")


@pytest.fixture(scope="module")
def program(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_program(
        client,
        admin_headers,
        title="Restorative Practices",
        sensitive=True,
        facilitators_required=2,
        pd_hours=4.5,
        completion_percent=75,
    )


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def scheduler_queue_envelopes(offering_id: int, event_type: str) -> list[Json]:
    """Envelopes of this offering's registry events of a type waiting in the `scheduler` list.

    Celery's Redis transport keeps each queue as a list of JSON messages whose base64 body is
    `[args, kwargs, embed]`; matching on the outbox's event ids ignores other tests' messages.
    """
    ours = {row["event_id"] for row in outbox_events(offering_id, event_type)}
    broker = redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])
    found = []
    for raw in broker.lrange("scheduler", 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        envelope = args[0]
        if envelope.get("event_id") in ours:
            assert message["headers"]["task"] == "scheduler.consume_event"
            assert envelope["type"] == event_type
            found.append(envelope)
    return found


def wait_until_sent(offering_id: int, event_type: str, timeout: float = 10) -> list[Json]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = outbox_events(offering_id, event_type)
        if rows and all(row["sent_at"] is not None for row in rows):
            return rows
        time.sleep(0.1)
    raise AssertionError(f"{event_type} for offering {offering_id} was never sent")


def test_publish_puts_the_full_offering_in_the_outbox_and_one_message_on_the_queue(
    client: TestClient, owner: Json, program: Json
) -> None:
    offering = make_offering(client, owner["headers"], program["code"])
    response = client.post(f"/offerings/{offering['id']}/publish", headers=owner["headers"])
    assert response.status_code == 200
    rows = wait_until_sent(offering["id"], "offering.published")
    assert len(rows) == 1
    envelope = Envelope.model_validate(rows[0])
    assert envelope.producer == "registry"
    event = unwrap(envelope)
    assert isinstance(event, OfferingPublished)
    published = event.offering
    assert published.status == "published"
    assert published.affiliate_id == owner["id"]
    assert (published.affiliate_name, published.affiliate_state) == (owner["name"], "OH")
    assert published.program_code == program["code"]
    assert published.program_title == "Restorative Practices"
    assert published.sensitive is True
    assert published.facilitators_required == 2
    assert published.pd_hours == 4.5 and published.completion_percent == 75
    assert published.venue is not None and published.venue.city == "Columbus"
    assert (published.capacity, published.max_cohorts) == (20, 2)
    assert published.registration_closes_at_utc is not None
    assert published.registration_closes_at_utc.isoformat() == "2027-03-08T22:00:00+00:00"
    first = published.meetings[0]
    assert first.timezone == "America/New_York"
    assert first.starts_at.isoformat() == "2027-03-10T09:00:00-05:00"
    assert first.starts_at_utc.isoformat() == "2027-03-10T14:00:00+00:00"
    assert [m.id for m in published.meetings] == [m["id"] for m in offering["meetings"]]
    assert instant(rows[0]["data"]["offering"]["updated_at"]) > instant(offering["updated_at"])

    queued = scheduler_queue_envelopes(offering["id"], "offering.published")
    assert [item["event_id"] for item in queued] == [str(envelope.event_id)]
    # The relay runs every 0.5 s for rows older than 1 s: it must not send this one again.
    time.sleep(2.5)
    assert len(scheduler_queue_envelopes(offering["id"], "offering.published")) == 1
    client.post(f"/offerings/{offering['id']}/publish", headers=owner["headers"])
    assert len(scheduler_queue_envelopes(offering["id"], "offering.published")) == 1


def test_change_to_a_published_offering_is_announced_with_what_changed(
    client: TestClient, owner: Json, program: Json
) -> None:
    offering = make_offering(client, owner["headers"], program["code"])
    client.post(f"/offerings/{offering['id']}/publish", headers=owner["headers"])
    first, second = offering["meetings"]
    body = {
        "join_url": None,
        "venue": {"name": "Union Hall", "address": "1 Main St", "city": "Dayton", "state": "OH"},
        "meetings": [
            {"id": first["id"], "starts_at": "2027-03-10T10:00", "ends_at": "2027-03-10T13:00"},
            {"id": second["id"], "starts_at": "2027-03-17T09:00", "ends_at": "2027-03-17T12:00"},
        ],
    }
    response = client.patch(f"/offerings/{offering['id']}", json=body, headers=owner["headers"])
    assert response.status_code == 200, response.text
    rows = wait_until_sent(offering["id"], "offering.updated")
    assert len(rows) == 1
    event = unwrap(Envelope.model_validate(rows[0]))
    assert isinstance(event, OfferingUpdated)
    assert sorted(event.changed) == ["meetings", "venue"]
    assert event.offering.venue is not None and event.offering.venue.city == "Dayton"
    assert event.offering.meetings[0].starts_at_utc.isoformat() == "2027-03-10T15:00:00+00:00"
    previous = {m.id: m.starts_at_utc.isoformat() for m in event.previous_meetings}
    assert previous == {
        first["id"]: "2027-03-10T14:00:00+00:00",
        second["id"]: "2027-03-17T13:00:00+00:00",
    }
    assert len(scheduler_queue_envelopes(offering["id"], "offering.updated")) == 1
    published = outbox_events(offering["id"], "offering.published")[0]["data"]["offering"]
    assert instant(rows[0]["data"]["offering"]["updated_at"]) > instant(published["updated_at"])


def test_cancel_of_a_published_offering_is_announced_with_its_reason(
    client: TestClient, owner: Json, program: Json
) -> None:
    offering = make_offering(client, owner["headers"], program["code"])
    path = f"/offerings/{offering['id']}"
    client.post(f"{path}/publish", headers=owner["headers"])
    client.post(f"{path}/cancel", json={"reason": "Venue flooded"}, headers=owner["headers"])
    client.post(f"{path}/cancel", json={"reason": "again"}, headers=owner["headers"])
    rows = wait_until_sent(offering["id"], "offering.cancelled")
    assert len(rows) == 1
    assert rows[0]["data"]["reason"] == "Venue flooded"
    assert rows[0]["data"]["offering"]["status"] == "cancelled"
    assert len(scheduler_queue_envelopes(offering["id"], "offering.cancelled")) == 1


def test_offering_events_carry_the_affiliates_contact_address(
    client: TestClient, admin_headers: dict[str, str], owner: Json, program: Json
) -> None:
    reached = make_affiliate(client, admin_headers, contact_email="training@ohea.example.org")
    for affiliate, expected in ((reached, "training@ohea.example.org"), (owner, None)):
        offering = make_offering(client, affiliate["headers"], program["code"])
        path = f"/offerings/{offering['id']}"
        client.post(f"{path}/publish", headers=affiliate["headers"])
        client.patch(path, json={"title": "Renamed"}, headers=affiliate["headers"])
        client.post(f"{path}/cancel", json={"reason": "Flood"}, headers=affiliate["headers"])
        sent = outbox_events(offering["id"])
        assert [e["type"] for e in sent] == [
            "offering.published",
            "offering.updated",
            "offering.cancelled",
        ]
        for envelope in sent:
            assert envelope["data"]["offering"]["affiliate_contact_email"] == expected


def test_draft_changes_emit_nothing(client: TestClient, owner: Json, program: Json) -> None:
    offering = make_offering(client, owner["headers"], program["code"])
    path = f"/offerings/{offering['id']}"
    client.patch(path, json={"title": "Renamed"}, headers=owner["headers"])
    client.post(f"{path}/cancel", json={"reason": "never mind"}, headers=owner["headers"])
    assert outbox_events(offering["id"]) == []


def test_every_change_raises_the_version_by_one_and_the_events_carry_it(
    client: TestClient, owner: Json, program: Json
) -> None:
    offering = make_offering(client, owner["headers"], program["code"])
    path, headers = f"/offerings/{offering['id']}", owner["headers"]
    assert offering["version"] == 1
    assert client.patch(path, json={"title": offering["title"]}, headers=headers).status_code == 200
    client.patch(path, json={"title": "Renamed draft"}, headers=headers)
    client.post(f"{path}/publish", headers=headers)
    client.post(f"{path}/publish", headers=headers)
    client.patch(path, json={"capacity": 12}, headers=headers)
    first, second = offering["meetings"]
    moved = [
        {"id": first["id"], "starts_at": "2027-03-10T10:00", "ends_at": "2027-03-10T13:00"},
        {"id": second["id"], "starts_at": "2027-03-17T09:00", "ends_at": "2027-03-17T12:00"},
    ]
    client.patch(path, json={"meetings": moved}, headers=headers)
    client.post(f"{path}/cancel", json={"reason": "Venue flooded"}, headers=headers)
    client.post(f"{path}/cancel", json={"reason": "again"}, headers=headers)
    assert client.get(path, headers=headers).json()["version"] == 6
    sent = [(row["type"], row["schema_version"]) for row in outbox_events(offering["id"])]
    assert sent == [
        ("offering.published", 2),
        ("offering.updated", 2),
        ("offering.updated", 2),
        ("offering.cancelled", 2),
    ]
    versions = [row["data"]["offering"]["version"] for row in outbox_events(offering["id"])]
    assert versions == [3, 4, 5, 6]
