"""Offering events applied to the scheduler: projection, changes, cancellation, more cohorts."""

import base64
import json
import os
from datetime import datetime, timedelta
from typing import Any

import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from shared import events
from shared.events import wrap
from tests.support.factories import meeting
from tests.support.scheduler import (  # noqa: F401
    apply,
    new_educator,
    new_facilitator,
    offering_state,
    outbox_events,
    publish,
    scheduler_client,
)

WEDNESDAYS = [{"weekday": 2, "start": "08:00", "end": "18:00"}]
THURSDAYS = [{"weekday": 3, "start": "08:00", "end": "18:00"}]


def _roster(client: TestClient, headers: dict[str, str], offering_id: int) -> dict[str, Any]:
    response = client.get(f"/offerings/{offering_id}/roster", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _register(client: TestClient, educator: dict[str, Any], offering_id: int) -> dict[str, Any]:
    response = client.post(
        "/registrations", json={"offering_id": offering_id}, headers=educator["headers"]
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def _update(state: events.Offering, changed: list[str], **changes: Any) -> events.Offering:
    later = (state.updated_at or datetime(2027, 1, 1)) + timedelta(minutes=1)
    newer = state.model_copy(update={"updated_at": later, **changes})
    apply(events.OfferingUpdated(offering=newer, changed=changed))
    return newer


def _moved(state: events.Offering, days: int) -> list[events.Meeting]:
    return [
        meeting(m.id, m.starts_at.replace(tzinfo=None) + timedelta(days=days), 3, state.timezone)
        for m in state.meetings
    ]


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
    roster = _roster(client, admin_headers, state.id)
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
    statuses = [_register(client, p, state.id)["status"] for p in people]
    assert statuses == ["confirmed"] * 9
    assert len(_roster(client, admin_headers, state.id)["cohorts"]) == 1


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


def test_moved_meetings_keep_a_facilitator_who_still_fits(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    educator = new_educator(client)
    _register(client, educator, state.id)
    moved = _moved(state, 1)
    _update(state, ["meetings"], meetings=moved)
    cohort_id = _roster(client, admin_headers, state.id)["cohorts"][0]["id"]
    (update,) = [e for e in outbox_events("cohort.updated") if e["cohort"]["id"] == cohort_id]
    assert update["changed"] == ["meetings"]
    assert update["meetings_moved"] == [m.id for m in state.meetings]
    assert update["meetings_added"] == [] and update["meetings_removed"] == []
    assert update["cohort"]["meetings"][0]["starts_at"] == "2027-03-11T09:00:00-05:00"
    assert {(r["kind"], r["id"]) for r in update["recipients"]} == {
        ("educator", educator["id"]),
        ("facilitator", facilitator["id"]),
    }
    assert not [
        e for e in outbox_events("facilitator.unassigned") if e["cohort"]["id"] == cohort_id
    ]
    items = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=facilitator["headers"]
    ).json()["items"]
    assert items[0]["meetings"][0]["starts_at"] == "2027-03-11T09:00:00-05:00"


def test_moved_meetings_replace_a_facilitator_who_no_longer_fits(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    wednesday = new_facilitator(client, admin_headers, state.program_code, availability=WEDNESDAYS)
    thursday = new_facilitator(client, admin_headers, state.program_code, availability=THURSDAYS)
    publish(state)
    educator = new_educator(client)
    _register(client, educator, state.id)
    _update(state, ["meetings"], meetings=_moved(state, 1))
    (cohort,) = _roster(client, admin_headers, state.id)["cohorts"]
    assert [f["id"] for f in cohort["facilitators"]] == [thursday["id"]]
    (gone,) = [
        e for e in outbox_events("facilitator.unassigned") if e["cohort"]["id"] == cohort["id"]
    ]
    assert gone["facilitator"]["id"] == wednesday["id"] and gone["reason"] == "no_longer_fits"
    assert "outside their availability" in gone["detail"]
    (added,) = [
        e for e in outbox_events("facilitator.assigned") if e["facilitator"]["id"] == thursday["id"]
    ]
    assert added["cohort"]["meetings"][0]["starts_at"] == "2027-03-11T09:00:00-05:00"
    (update,) = [e for e in outbox_events("cohort.updated") if e["cohort"]["id"] == cohort["id"]]
    assert [(r["kind"], r["id"]) for r in update["recipients"]] == [("educator", educator["id"])]


def test_nobody_left_for_moved_meetings_says_why(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    new_facilitator(client, admin_headers, state.program_code, availability=WEDNESDAYS)
    publish(state)
    _update(state, ["meetings"], meetings=_moved(state, 1))
    (cohort,) = _roster(client, admin_headers, state.id)["cohorts"]
    assert cohort["status"] == "needs_facilitator" and cohort["facilitators"] == []
    assert cohort["needs_facilitator_reason"] == "nobody_available"


def test_added_and_removed_meetings_and_venue(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    publish(state)
    educator = new_educator(client)
    _register(client, educator, state.id)
    first, second = state.meetings
    extra = meeting(state.id * 10 + 3, datetime(2027, 3, 24, 9), 3, state.timezone)
    venue = state.venue.model_copy(update={"name": "Library"}) if state.venue else None
    _update(state, ["meetings", "venue"], meetings=[first, extra], venue=venue)
    cohort_id = _roster(client, admin_headers, state.id)["cohorts"][0]["id"]
    (update,) = [e for e in outbox_events("cohort.updated") if e["cohort"]["id"] == cohort_id]
    assert update["changed"] == ["venue", "meetings"]
    assert update["meetings_added"] == [extra.id] and update["meetings_moved"] == []
    assert [m["id"] for m in update["meetings_removed"]] == [second.id]
    assert update["meetings_removed"][0]["starts_at"] == "2027-03-17T09:00:00-04:00"
    assert update["cohort"]["venue"]["name"] == "Library"


def test_capacity_cut_keeps_everyone_and_flags_overflow(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(capacity=3, updated_at=datetime(2027, 1, 1))
    publish(state)
    people = [new_educator(client) for _ in range(3)]
    for person in people:
        _register(client, person, state.id)
    smaller = _update(state, ["capacity"], capacity=1)
    roster = _roster(client, admin_headers, state.id)
    assert len(roster["cohorts"][0]["members"]) == 3 and roster["cohorts"][0]["overflow"] == 2
    late = [new_educator(client) for _ in range(2)]
    assert [_register(client, p, state.id)["status"] for p in late] == ["waitlisted"] * 2
    _update(smaller, ["capacity"], capacity=4)
    roster = _roster(client, admin_headers, state.id)
    assert len(roster["cohorts"][0]["members"]) == 4 and roster["cohorts"][0]["overflow"] == 0
    assert len(roster["waitlist"]) == 1 and roster["waitlist"][0]["position"] == 1


def test_more_cohorts_open_only_when_a_facilitator_is_found(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(capacity=1, max_cohorts=3, updated_at=datetime(2027, 1, 1))
    new_facilitator(client, admin_headers, state.program_code)
    new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    people = [new_educator(client) for _ in range(4)]
    answers = [_register(client, p, state.id) for p in people]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    roster = _roster(client, admin_headers, state.id)
    assert [c["index"] for c in roster["cohorts"]] == [1, 2]
    assert all(len(c["facilitators"]) == 1 for c in roster["cohorts"])
    # A third facilitator joins and capacity grows: the waitlist is seated in order.
    new_facilitator(client, admin_headers, state.program_code)
    _update(state, ["capacity"], capacity=2)
    roster = _roster(client, admin_headers, state.id)
    seated = [m["registration_id"] for c in roster["cohorts"] for m in c["members"]]
    assert sorted(seated) == sorted(a["id"] for a in answers) and roster["waitlist"] == []


def test_raising_max_cohorts_seats_the_waitlist(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(capacity=1, updated_at=datetime(2027, 1, 1))
    for _ in range(2):
        new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    people = [new_educator(client) for _ in range(3)]
    answers = [_register(client, p, state.id) for p in people]
    _update(state, ["max_cohorts"], max_cohorts=2)
    roster = _roster(client, admin_headers, state.id)
    assert [c["index"] for c in roster["cohorts"]] == [1, 2]
    assert roster["cohorts"][1]["members"][0]["registration_id"] == answers[1]["id"]
    assert [w["registration_id"] for w in roster["waitlist"]] == [answers[2]["id"]]


def test_offering_cancelled_ends_everything_once(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(capacity=1, updated_at=datetime(2027, 1, 1))
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    seated, waiting = new_educator(client), new_educator(client)
    seat, wait = _register(client, seated, state.id), _register(client, waiting, state.id)
    cancelled = state.model_copy(update={"status": "cancelled", "updated_at": datetime(2027, 2, 1)})
    apply(events.OfferingCancelled(offering=cancelled, reason="low enrolment"))
    apply(events.OfferingCancelled(offering=cancelled, reason="low enrolment"))
    roster = _roster(client, admin_headers, state.id)
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
