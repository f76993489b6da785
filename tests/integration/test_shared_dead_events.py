"""Operators see each consumer's parked events over HTTP and send one again."""

import base64
import json
import os
from datetime import UTC, datetime

import redis
from fastapi.testclient import TestClient
from sqlalchemy import insert

from services.scheduler.database import runtime
from shared.events import OfferingPublished, wrap
from tests.support.factories import offering
from tests.support.scheduler import bearer
from tests.support.tokens import educator_token, next_person_id, operator_token


def _park_one() -> tuple[int, str]:
    envelope = wrap(OfferingPublished(offering=offering(7001)), producer="registry")
    with runtime.engine().begin() as connection:
        row_id = connection.execute(
            insert(runtime.bus_tables.dead)
            .values(
                event_id=str(envelope.event_id),
                type=envelope.type,
                consumer="scheduler",
                payload=envelope.model_dump_json(),
                error="RuntimeError('cannot apply')",
                attempts=1,
                died_at=datetime.now(UTC),
            )
            .returning(runtime.bus_tables.dead.c.id)
        ).scalar_one()
    return int(row_id), str(envelope.event_id)


def test_an_operator_lists_a_parked_event_with_its_reason_and_redrives_it(
    client: TestClient,
) -> None:
    row_id, event_id = _park_one()
    operator = bearer(operator_token())

    page = client.get("/dead-events", headers=operator, params={"limit": 100})
    assert page.status_code == 200
    listed = {item["id"]: item for item in page.json()["items"]}
    assert listed[row_id]["event_id"] == event_id
    assert listed[row_id]["error"] == "RuntimeError('cannot apply')"
    assert page.json()["total"] >= 1

    queue = redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])
    queue.delete("scheduler")
    answer = client.post(f"/dead-events/{row_id}/redrive", headers=operator)
    assert (answer.status_code, answer.json()) == (202, {"status": "redriven"})
    bodies = [
        json.loads(base64.b64decode(json.loads(m)["body"]))[0][0]
        for m in queue.lrange("scheduler", 0, -1)
    ]
    assert [body["event_id"] for body in bodies] == [event_id]
    queue.delete("scheduler")

    record = client.get("/audit", headers=operator, params={"action": "dead_event.redrive"})
    assert record.json()["items"][0]["subject"] == f"event {row_id}"
    assert record.json()["items"][0]["details"]["event_id"] == event_id

    assert client.post(f"/dead-events/{row_id}/redrive", headers=operator).status_code == 404
    after = client.get("/dead-events", headers=operator, params={"limit": 100}).json()
    assert row_id not in {item["id"] for item in after["items"]}


def test_dead_events_are_for_operators_only(client: TestClient) -> None:
    educator = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
    assert client.get("/dead-events").status_code == 401
    assert client.get("/dead-events", headers=educator).status_code == 403
    assert client.post("/dead-events/1/redrive", headers=educator).status_code == 403
    too_big = client.post(f"/dead-events/{2**64}/redrive", headers=bearer(operator_token()))
    assert too_big.status_code == 422
