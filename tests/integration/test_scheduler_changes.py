"""Changes to a published offering: meetings move, facilitators are re-checked, seats grow."""

from datetime import datetime

from fastapi.testclient import TestClient

from tests.support.factories import meeting
from tests.support.scheduler import (
    get_roster,
    moved_meetings,
    new_educator,
    new_facilitator,
    offering_state,
    outbox_events,
    publish,
    register,
    update_offering,
)

WEDNESDAYS = [{"weekday": 2, "start": "08:00", "end": "18:00"}]
THURSDAYS = [{"weekday": 3, "start": "08:00", "end": "18:00"}]


def test_moved_meetings_keep_a_facilitator_who_still_fits(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    educator = new_educator(client)
    register(client, educator, state.id)
    moved = moved_meetings(state, 1)
    update_offering(state, ["meetings"], meetings=moved)
    cohort_id = get_roster(client, admin_headers, state.id)["cohorts"][0]["id"]
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
    register(client, educator, state.id)
    update_offering(state, ["meetings"], meetings=moved_meetings(state, 1))
    (cohort,) = get_roster(client, admin_headers, state.id)["cohorts"]
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
    update_offering(state, ["meetings"], meetings=moved_meetings(state, 1))
    (cohort,) = get_roster(client, admin_headers, state.id)["cohorts"]
    assert cohort["status"] == "needs_facilitator" and cohort["facilitators"] == []
    assert cohort["needs_facilitator_reason"] == "nobody_available"


def test_added_and_removed_meetings_and_venue(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    publish(state)
    educator = new_educator(client)
    register(client, educator, state.id)
    first, second = state.meetings
    extra = meeting(state.id * 10 + 3, datetime(2027, 3, 24, 9), 3, state.timezone)
    venue = state.venue.model_copy(update={"name": "Library"}) if state.venue else None
    update_offering(state, ["meetings", "venue"], meetings=[first, extra], venue=venue)
    cohort_id = get_roster(client, admin_headers, state.id)["cohorts"][0]["id"]
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
        register(client, person, state.id)
    smaller = update_offering(state, ["capacity"], capacity=1)
    roster = get_roster(client, admin_headers, state.id)
    assert len(roster["cohorts"][0]["members"]) == 3 and roster["cohorts"][0]["overflow"] == 2
    late = [new_educator(client) for _ in range(2)]
    assert [register(client, p, state.id)["status"] for p in late] == ["waitlisted"] * 2
    update_offering(smaller, ["capacity"], capacity=4)
    roster = get_roster(client, admin_headers, state.id)
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
    answers = [register(client, p, state.id) for p in people]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    roster = get_roster(client, admin_headers, state.id)
    assert [c["index"] for c in roster["cohorts"]] == [1, 2]
    assert all(len(c["facilitators"]) == 1 for c in roster["cohorts"])
    # A third facilitator joins and capacity grows: the waitlist is seated in order.
    new_facilitator(client, admin_headers, state.program_code)
    update_offering(state, ["capacity"], capacity=2)
    roster = get_roster(client, admin_headers, state.id)
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
    answers = [register(client, p, state.id) for p in people]
    update_offering(state, ["max_cohorts"], max_cohorts=2)
    roster = get_roster(client, admin_headers, state.id)
    assert [c["index"] for c in roster["cohorts"]] == [1, 2]
    assert roster["cohorts"][1]["members"][0]["registration_id"] == answers[1]["id"]
    assert [w["registration_id"] for w in roster["waitlist"]] == [answers[2]["id"]]
