"""POST /assignments/plan: batch re-plan of a window, applied as a diff with events."""

from datetime import datetime

from fastapi.testclient import TestClient

from tests.support.scheduler import (
    bearer,
    new_facilitator,
    offering_state,
    outbox_events,
    program_code,
    publish,
)
from tests.support.tokens import member_token

WINDOW = {"starts_after": "2031-04-01T00:00:00Z", "starts_before": "2031-05-01T00:00:00Z"}


def test_plan_staffs_what_it_can_and_says_why_not(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = program_code()
    first = publish(offering_state(program=program, starts=[datetime(2031, 4, 7, 9)]))
    second = publish(offering_state(program=program, starts=[datetime(2031, 4, 8, 9)]))
    orphan = publish(offering_state(starts=[datetime(2031, 4, 9, 9)]))
    outside = publish(offering_state(program=program, starts=[datetime(2031, 6, 9, 9)]))
    roster = client.get(f"/offerings/{first.id}/roster", headers=admin_headers).json()
    assert roster["cohorts"][0]["status"] == "needs_facilitator"
    facilitator = new_facilitator(client, admin_headers, program)
    answer = client.post("/assignments/plan", json=WINDOW, headers=admin_headers)
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    cohort_of = {
        o.id: client.get(f"/offerings/{o.id}/roster", headers=admin_headers).json()["cohorts"][0]
        for o in (first, second, orphan, outside)
    }
    assigned = {a["cohort_id"]: a["facilitator_ids"] for a in plan["assigned"]}
    assert assigned == {
        cohort_of[first.id]["id"]: [facilitator["id"]],
        cohort_of[second.id]["id"]: [facilitator["id"]],
    }
    (unassigned,) = plan["unassigned"]
    assert unassigned["cohort_id"] == cohort_of[orphan.id]["id"]
    assert unassigned["reason"].startswith("nobody_certified")
    assert isinstance(plan["objective"], float)
    assert cohort_of[first.id]["status"] == "open"
    assert cohort_of[orphan.id]["needs_facilitator_reason"] == "nobody_certified"
    assert cohort_of[outside.id]["status"] == "needs_facilitator"  # outside the window
    events = [
        e
        for e in outbox_events("facilitator.assigned")
        if e["facilitator"]["id"] == facilitator["id"]
    ]
    assert sorted(e["cohort"]["offering_id"] for e in events) == sorted([first.id, second.id])
    assert all("batch plan" in e["explanation"] for e in events)
    # Planning again keeps everyone: no unassignments, no new assignments.
    again = client.post("/assignments/plan", json=WINDOW, headers=admin_headers).json()
    assert again["changed_cohort_ids"] == []
    assert not [
        e
        for e in outbox_events("facilitator.unassigned")
        if e["facilitator"]["id"] == facilitator["id"]
    ]


def test_plan_is_for_the_operator_with_a_valid_window(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert client.post("/assignments/plan", json=WINDOW).status_code == 401
    affiliate = bearer(member_token(1))
    assert client.post("/assignments/plan", json=WINDOW, headers=affiliate).status_code == 403
    backwards = {"starts_after": WINDOW["starts_before"], "starts_before": WINDOW["starts_after"]}
    answer = client.post("/assignments/plan", json=backwards, headers=admin_headers)
    assert answer.status_code == 422
    missing = client.post("/assignments/plan", json={}, headers=admin_headers)
    assert missing.status_code == 422
