"""Offering events applied to the scheduler: projection, duplicates, order, cancellation."""

import base64
import json
import os
from datetime import datetime
from typing import Any

import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from shared import events
from shared.events import wrap
from tests.support.scheduler import (
    apply,
    get_roster,
    new_educator,
    new_facilitator,
    offering_state,
    outbox_events,
    publish,
    register,
)


def test_published_offering_opens_its_first_cohort_once(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    from services.scheduler.tasks import consumer

    state = offering_state(updated_at=datetime(2027, 1, 1))
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    envelope = wrap(events.OfferingPublished(offering=state), producer="registry")
    assert consumer.apply_once(envelope) is True
    assert consumer.apply_once(envelope) is False
    publish(state)  # the same state again under a new event id changes nothing
    roster = get_roster(client, admin_headers, state.id)
    (cohort,) = roster["cohorts"]
    assert cohort["status"] == "open"
    assert cohort["facilitators"] == [
        {"id": facilitator["id"], "name": facilitator["name"], "role": "lead"}
    ]
    (assigned,) = outbox_events(
        "facilitator.assigned", assignment_id=_assignment(client, facilitator)
    )
    assert assigned["cohort"]["offering_id"] == state.id
    assert assigned["facilitator"]["email"] == facilitator["email"]
    assert "certified for" in assigned["explanation"]


def _assignment(client: TestClient, facilitator: dict[str, Any]) -> int:
    path = f"/facilitators/{facilitator['id']}/assignments"
    items = client.get(path, headers=facilitator["headers"]).json()["items"]
    return int(items[-1]["assignment_id"])


def test_out_of_order_delivery(client: TestClient, admin_headers: dict[str, str]) -> None:
    state = offering_state(capacity=5, updated_at=datetime(2027, 1, 1, 12))
    newer = state.model_copy(update={"capacity": 9, "updated_at": datetime(2027, 1, 1, 13)})
    apply(events.OfferingUpdated(offering=newer, changed=["capacity"]))  # before its publish
    publish(state)  # the older publish arrives late and is ignored
    older = state.model_copy(update={"capacity": 3, "updated_at": datetime(2027, 1, 1, 12, 30)})
    apply(events.OfferingUpdated(offering=older, changed=["capacity"]))
    people = [new_educator(client) for _ in range(9)]
    statuses = [register(client, p, state.id)["status"] for p in people]
    assert statuses == ["confirmed"] * 9
    assert len(get_roster(client, admin_headers, state.id)["cohorts"]) == 1


def test_versions_order_states_whatever_the_replicas_clocks_say(client: TestClient) -> None:
    from services.scheduler.database import runtime
    from services.scheduler.models import Offering

    state = offering_state(capacity=5, version=1, updated_at=datetime(2027, 1, 1, 12))
    publish(state)
    # Version 3 comes from a replica whose clock runs an hour behind: it is still the newer state.
    behind = {"capacity": 7, "version": 3, "updated_at": datetime(2027, 1, 1, 11)}
    apply(events.OfferingUpdated(offering=state.model_copy(update=behind), changed=["capacity"]))
    # Version 2 arrives late from a replica whose clock runs ahead: it is older all the same.
    ahead = {"capacity": 3, "version": 2, "updated_at": datetime(2027, 1, 1, 13)}
    apply(events.OfferingUpdated(offering=state.model_copy(update=ahead), changed=["capacity"]))
    with Session(runtime.engine()) as session:
        stored = session.get(Offering, state.id)
        assert stored is not None
        assert (stored.capacity, stored.source_version) == (7, 3)
    statuses = [register(client, new_educator(client), state.id)["status"] for _ in range(7)]
    assert statuses == ["confirmed"] * 7


def test_cancelled_wins_over_late_events(client: TestClient) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1, 12))
    cancelled = state.model_copy(update={"status": "cancelled", "updated_at": datetime(2027, 1, 2)})
    apply(events.OfferingCancelled(offering=cancelled, reason="venue closed"))
    publish(state)
    apply(
        events.OfferingUpdated(
            offering=state.model_copy(update={"updated_at": datetime(2027, 2, 1)}),
            changed=["title"],
        )
    )
    answer = client.post(
        "/registrations", json={"offering_id": state.id}, headers=new_educator(client)["headers"]
    )
    assert answer.status_code == 409


def test_offering_cancelled_ends_everything_once(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(capacity=1, updated_at=datetime(2027, 1, 1))
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    seated, waiting = new_educator(client), new_educator(client)
    seat, wait = register(client, seated, state.id), register(client, waiting, state.id)
    cancelled = state.model_copy(update={"status": "cancelled", "updated_at": datetime(2027, 2, 1)})
    apply(events.OfferingCancelled(offering=cancelled, reason="low enrolment"))
    apply(events.OfferingCancelled(offering=cancelled, reason="low enrolment"))
    roster = get_roster(client, admin_headers, state.id)
    assert roster["cohorts"][0]["status"] == "cancelled" and roster["waitlist"] == []
    (cohort_cancelled,) = [
        e for e in outbox_events("cohort.cancelled") if e["cohort"]["offering_id"] == state.id
    ]
    assert cohort_cancelled["reason"] == "low enrolment"
    assert {(r["kind"], r["id"]) for r in cohort_cancelled["recipients"]} == {
        ("educator", seated["id"]),
        ("facilitator", facilitator["id"]),
    }
    (seat_gone,) = outbox_events("registration.cancelled", registration_id=seat["id"])
    assert seat_gone["reason"] == "offering_cancelled" and seat_gone["cohort"] is not None
    (wait_gone,) = outbox_events("registration.cancelled", registration_id=wait["id"])
    assert wait_gone["previous_status"] == "waitlisted" and wait_gone["cohort"] is None
    (unassigned,) = [
        e for e in outbox_events("facilitator.unassigned") if e["cohort"]["offering_id"] == state.id
    ]
    assert unassigned["reason"] == "offering_cancelled"
    mine = client.get(f"/registrations/{seat['id']}", headers=seated["headers"]).json()
    assert mine["status"] == "cancelled"
    items = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=facilitator["headers"]
    ).json()["items"]
    assert items == []


def _queued_event_ids() -> set[str]:
    client = redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])
    bodies = [json.loads(raw)["body"] for raw in client.lrange("notifier", 0, -1)]
    return {json.loads(base64.b64decode(b))[0][0]["event_id"] for b in bodies}


def test_events_leave_only_after_the_real_commit(client: TestClient) -> None:
    # Releasing a savepoint (as booking a facilitator does) is not the transaction's commit.
    from services.scheduler.database import runtime

    state = offering_state()
    event = events.CohortCancelled(
        cohort=events.Cohort(
            id=1, index=1, offering_id=state.id, affiliate_name="A", program_code="p",
            program_title="P", sensitive=False, title="T", format="virtual",
            timezone="UTC", meetings=[],
        ),
        reason="test",
        recipients=[],
    )  # fmt: skip
    with Session(runtime.engine()) as session:
        envelope = runtime.outbox.record(session, event)
        with session.begin_nested():
            pass
        assert str(envelope.event_id) not in _queued_event_ids()
        session.rollback()
    assert str(envelope.event_id) not in _queued_event_ids()
    assert not outbox_events("cohort.cancelled", reason="test")


def test_the_projection_keeps_the_programs_completion_rule() -> None:
    from services.scheduler.database import runtime
    from services.scheduler.models import Offering

    strict, lenient = offering_state(), offering_state(completion_percent=80)
    publish(strict)
    publish(lenient)
    with runtime.engine().connect() as connection:
        table = Offering.__table__  # type: ignore[attr-defined]
        rows = dict(
            connection.execute(
                table.select()
                .with_only_columns(table.c.id, table.c.completion_percent)
                .where(table.c.id.in_([strict.id, lenient.id]))
            ).all()
        )
    assert rows == {strict.id: 100, lenient.id: 80}
