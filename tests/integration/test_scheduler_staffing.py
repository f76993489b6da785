"""A new facilitator, or new availability, is booked at once on cohorts waiting for one.

The API records `facilitator.changed` with the change; a real scheduler worker applies it right
after the commit, so each test waits (a few seconds at most) for that worker.
"""

import json
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.scheduler.database import runtime
from shared.events import Venue
from tests.support.processes import Process
from tests.support.scheduler import (
    WEEKDAYS,
    bearer,
    eventually,
    get_roster,
    new_educator,
    new_facilitator,
    offering_state,
    outbox_events,
    program_code,
    publish,
)
from tests.support.tokens import member_token

MONDAYS = [{"weekday": 0, "start": "08:00", "end": "17:00"}]
CLEVELAND = Venue(name="CTU Hall", address="1228 Euclid Ave", city="Cleveland", state="OH")


def _cohort(client: TestClient, headers: dict[str, str], offering_id: int) -> dict[str, Any]:
    (cohort,) = get_roster(client, headers, offering_id)["cohorts"]
    return cohort


def _applied(facilitator_id: int) -> bool:
    """Whether the worker has applied every facilitator.changed recorded for this facilitator."""
    outbox, processed = runtime.bus_tables.outbox, runtime.bus_tables.processed
    with runtime.engine().connect() as connection:
        payloads = connection.execute(
            select(outbox.c.payload).where(outbox.c.type == "facilitator.changed")
        ).scalars()
        wanted = {
            envelope["event_id"]
            for envelope in map(json.loads, payloads)
            if envelope["data"]["facilitator_id"] == facilitator_id
        }
        done = connection.execute(
            select(processed.c.event_id).where(processed.c.event_id.in_(wanted))
        ).scalars()
        return bool(wanted) and wanted <= set(done)


def _assigned_to(facilitator_id: int) -> list[dict[str, Any]]:
    return [
        e for e in outbox_events("facilitator.assigned") if e["facilitator"]["id"] == facilitator_id
    ]


def _unassigned(facilitator_id: int) -> list[dict[str, Any]]:
    return [
        e
        for e in outbox_events("facilitator.unassigned")
        if e["facilitator"]["id"] == facilitator_id
    ]


def test_a_new_facilitator_is_booked_at_once_on_a_waiting_cohort(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = publish(offering_state())
    waiting = _cohort(client, admin_headers, state.id)
    assert waiting["status"] == "needs_facilitator" and waiting["facilitators"] == []
    assert waiting["needs_facilitator_reason"] == "nobody_certified"
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    staffed = eventually(
        lambda: (c := _cohort(client, admin_headers, state.id))["status"] == "open" and c
    )
    assert staffed["id"] == waiting["id"]
    assert staffed["facilitators"] == [
        {"id": facilitator["id"], "name": facilitator["name"], "role": "lead"}
    ]
    assert staffed["needs_facilitator_reason"] is None
    assert staffed["needs_facilitator_detail"] is None
    (assigned,) = _assigned_to(facilitator["id"])
    assert assigned["cohort"]["id"] == waiting["id"]
    assert [m["id"] for m in assigned["cohort"]["meetings"]] == [m.id for m in state.meetings]
    assert assigned["explanation"].startswith("Picked 1 of 1 who fit")
    own = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=facilitator["headers"]
    ).json()
    assert [item["cohort_id"] for item in own["items"]] == [waiting["id"]]


def test_a_facilitator_who_fits_nothing_leaves_the_reasons_true(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = publish(offering_state())  # two Wednesday mornings
    before = _cohort(client, admin_headers, state.id)
    elsewhere = new_facilitator(client, admin_headers, program_code())
    eventually(lambda: _applied(elsewhere["id"]))
    assert _cohort(client, admin_headers, state.id) == before
    mondays_only = new_facilitator(client, admin_headers, state.program_code, availability=MONDAYS)
    eventually(lambda: _applied(mondays_only["id"]))
    after = _cohort(client, admin_headers, state.id)
    assert after["status"] == "needs_facilitator" and after["facilitators"] == []
    assert after["needs_facilitator_reason"] == "nobody_available"
    assert after["needs_facilitator_detail"] == (
        f"1 certified for {state.program_code}, none free for all 2 meetings: "
        "1 outside their availability, 0 blocked by overlapping or too-close bookings"
    )
    assert _assigned_to(elsewhere["id"]) == _assigned_to(mondays_only["id"]) == []


def test_widened_availability_is_booked_at_once(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state()
    facilitator = new_facilitator(client, admin_headers, state.program_code, availability=MONDAYS)
    publish(state)
    eventually(lambda: _applied(facilitator["id"]))
    assert _cohort(client, admin_headers, state.id)["needs_facilitator_reason"] == (
        "nobody_available"
    )
    path = f"/facilitators/{facilitator['id']}/availability"
    answer = client.put(path, json={"availability": WEEKDAYS}, headers=facilitator["headers"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["availability"] == WEEKDAYS and answer.json()["id"] == facilitator["id"]
    staffed = eventually(
        lambda: (c := _cohort(client, admin_headers, state.id))["status"] == "open" and c
    )
    assert [f["id"] for f in staffed["facilitators"]] == [facilitator["id"]]
    assert staffed["needs_facilitator_reason"] is None
    (assigned,) = _assigned_to(facilitator["id"])
    assert assigned["cohort"]["id"] == staffed["id"]
    # Narrowing elsewhere keeps the cohort; narrowing under it gives the cohort up, and with
    # nobody else certified it waits again, saying why.
    no_mondays = [w for w in WEEKDAYS if w["weekday"] != 0]
    narrowed = client.put(path, json={"availability": no_mondays}, headers=admin_headers)
    assert narrowed.status_code == 200 and narrowed.json()["availability"] == no_mondays
    assert narrowed.json()["released"] == []
    assert _cohort(client, admin_headers, state.id)["facilitators"] == staffed["facilitators"]
    given_up = client.put(path, json={"availability": MONDAYS}, headers=facilitator["headers"])
    assert given_up.status_code == 200, given_up.text
    (released,) = given_up.json()["released"]
    assert released == {
        "cohort_id": staffed["id"],
        "offering_id": state.id,
        "title": state.title,
        "first_meeting_at_utc": released["first_meeting_at_utc"],
        "restaffed": False,
        "needs_facilitator_reason": "nobody_available",
    }
    first = datetime.fromisoformat(released["first_meeting_at_utc"])
    assert first == min(m.starts_at_utc for m in state.meetings)
    waiting = _cohort(client, admin_headers, state.id)
    assert waiting["status"] == "needs_facilitator" and waiting["facilitators"] == []
    (ended,) = _unassigned(facilitator["id"])
    assert ended["reason"] == "availability_changed" and ended["cohort"]["id"] == staffed["id"]


def test_a_cohort_given_up_by_narrowed_availability_is_staffed_again_at_once(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state()
    leading = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    staffed = eventually(
        lambda: (c := _cohort(client, admin_headers, state.id))["status"] == "open" and c
    )
    assert [f["id"] for f in staffed["facilitators"]] == [leading["id"]]
    standby = new_facilitator(client, admin_headers, state.program_code)
    eventually(lambda: _applied(standby["id"]))
    path = f"/facilitators/{leading['id']}/availability"
    answer = client.put(path, json={"availability": MONDAYS}, headers=leading["headers"])
    assert answer.status_code == 200, answer.text
    (released,) = answer.json()["released"]
    assert released["cohort_id"] == staffed["id"] and released["restaffed"] is True
    assert released["needs_facilitator_reason"] is None
    now = _cohort(client, admin_headers, state.id)
    assert now["status"] == "open"
    assert [f["id"] for f in now["facilitators"]] == [standby["id"]]
    (ended,) = _unassigned(leading["id"])
    assert ended["reason"] == "availability_changed"
    (assigned,) = _assigned_to(standby["id"])
    assert assigned["cohort"]["id"] == staffed["id"]
    assert [
        a["cohort_id"]
        for a in client.get(
            f"/facilitators/{leading['id']}/assignments", headers=leading["headers"]
        ).json()["items"]
    ] == []


def test_a_withdrawn_certification_hands_the_cohort_to_someone_certified(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state()
    other_program = program_code()
    leading = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    staffed = eventually(
        lambda: (c := _cohort(client, admin_headers, state.id))["status"] == "open" and c
    )
    standby = new_facilitator(client, admin_headers, state.program_code)
    eventually(lambda: _applied(standby["id"]))
    path = f"/facilitators/{leading['id']}/certifications"
    body = {"certifications": [other_program]}
    assert client.put(path, json=body, headers=leading["headers"]).status_code == 403
    answer = client.put(path, json=body, headers=admin_headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["certifications"] == [other_program]
    (released,) = answer.json()["released"]
    assert released["cohort_id"] == staffed["id"] and released["restaffed"] is True
    assert [f["id"] for f in _cohort(client, admin_headers, state.id)["facilitators"]] == [
        standby["id"]
    ]
    (ended,) = _unassigned(leading["id"])
    assert ended["reason"] == "certification_withdrawn"
    assert ended["detail"] == f"no longer certified for {state.program_code}"
    again = client.put(path, json=body, headers=admin_headers)
    assert again.status_code == 200 and again.json()["released"] == [], "nothing left to give up"
    bad = client.put(path, json={"certifications": [""]}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:2] == [
        "body",
        "certifications",
    ]


def test_availability_is_changed_by_that_facilitator_or_the_operator_only(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    facilitator = new_facilitator(client, admin_headers, program_code())
    other = new_facilitator(client, admin_headers, program_code())
    path = f"/facilitators/{facilitator['id']}/availability"
    body = {"availability": MONDAYS}
    assert client.put(path, json=body).status_code == 401
    assert client.put(path, json=body, headers=other["headers"]).status_code == 404
    educator = new_educator(client)
    assert client.put(path, json=body, headers=educator["headers"]).status_code == 403
    affiliate = bearer(member_token(1))
    assert client.put(path, json=body, headers=affiliate).status_code == 403
    unknown = client.put("/facilitators/999999999/availability", json=body, headers=admin_headers)
    assert unknown.status_code == 404
    backwards = {"availability": [{"weekday": 1, "start": "17:00", "end": "08:00"}]}
    bad = client.put(path, json=backwards, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:3] == [
        "body",
        "availability",
        0,
    ]
    assert client.put(path, json={}, headers=admin_headers).status_code == 422
    emptied = client.put(path, json={"availability": []}, headers=facilitator["headers"])
    assert emptied.status_code == 200 and emptied.json()["availability"] == []


def test_one_new_facilitator_takes_the_earliest_of_overlapping_cohorts(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = program_code()
    # Published first (lower cohort id) but starting an hour later, overlapping `earlier`.
    later = publish(offering_state(program=program, starts=[datetime(2027, 5, 5, 10)]))
    earlier = publish(offering_state(program=program, starts=[datetime(2027, 5, 5, 9)]))
    next_week = publish(offering_state(program=program, starts=[datetime(2027, 5, 12, 9)]))
    facilitator = new_facilitator(client, admin_headers, program)
    eventually(lambda: _applied(facilitator["id"]))
    cohorts = {o.id: _cohort(client, admin_headers, o.id) for o in (later, earlier, next_week)}
    for staffed in (cohorts[earlier.id], cohorts[next_week.id]):
        assert staffed["status"] == "open"
        assert [f["id"] for f in staffed["facilitators"]] == [facilitator["id"]]
    left = cohorts[later.id]
    assert left["status"] == "needs_facilitator" and left["facilitators"] == []
    assert left["needs_facilitator_reason"] == "nobody_available"
    assert left["needs_facilitator_detail"] == (
        f"1 certified for {program}, none free for all 1 meetings: "
        "0 outside their availability, 1 blocked by overlapping or too-close bookings"
    )
    assert sorted(e["cohort"]["id"] for e in _assigned_to(facilitator["id"])) == sorted(
        [cohorts[earlier.id]["id"], cohorts[next_week.id]["id"]]
    )


def test_the_monthly_cap_and_the_travel_buffer_bound_what_one_facilitator_takes(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = program_code()
    columbus = publish(offering_state(program=program, starts=[datetime(2027, 6, 2, 9)]))
    # Thirty minutes after Columbus ends, in another city: inside the one-hour travel buffer.
    cleveland = publish(
        offering_state(program=program, starts=[datetime(2027, 6, 2, 12, 30)], venue=CLEVELAND)
    )
    same_month = publish(offering_state(program=program, starts=[datetime(2027, 6, 9, 9)]))
    facilitator = new_facilitator(client, admin_headers, program, max_sessions_per_month=1)
    eventually(lambda: _applied(facilitator["id"]))
    assert [f["id"] for f in _cohort(client, admin_headers, columbus.id)["facilitators"]] == [
        facilitator["id"]
    ]
    too_close = _cohort(client, admin_headers, cleveland.id)
    assert too_close["status"] == "needs_facilitator"
    assert too_close["needs_facilitator_reason"] == "nobody_available"
    at_cap = _cohort(client, admin_headers, same_month.id)
    assert at_cap["status"] == "needs_facilitator"
    assert at_cap["needs_facilitator_reason"] == "all_at_cap"
    assert len(_assigned_to(facilitator["id"])) == 1


def test_a_cohort_needing_two_is_booked_when_the_second_arrives(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(facilitators_required=2)
    first = new_facilitator(client, admin_headers, state.program_code)
    publish(state)
    eventually(lambda: _applied(first["id"]))
    waiting = _cohort(client, admin_headers, state.id)
    assert waiting["status"] == "needs_facilitator" and waiting["facilitators"] == []
    assert waiting["needs_facilitator_reason"] == "not_enough_facilitators"
    second = new_facilitator(client, admin_headers, state.program_code)
    staffed = eventually(
        lambda: (c := _cohort(client, admin_headers, state.id))["status"] == "open" and c
    )
    assert sorted(f["id"] for f in staffed["facilitators"]) == [first["id"], second["id"]]
    third = new_facilitator(client, admin_headers, state.program_code)
    eventually(lambda: _applied(third["id"]))
    assert len(_cohort(client, admin_headers, state.id)["facilitators"]) == 2
    assert len(_assigned_to(first["id"])) == len(_assigned_to(second["id"])) == 1
    assert _assigned_to(third["id"]) == []


def test_an_affiliates_own_facilitator_leads_only_its_offerings_until_shared(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = program_code()
    theirs = publish(
        offering_state(program=program, affiliate_id=61, starts=[datetime(2027, 8, 2, 9)])
    )
    other = publish(
        offering_state(program=program, affiliate_id=62, starts=[datetime(2027, 8, 3, 9)])
    )
    admin = bearer(member_token(61, "admin"))
    facilitator = new_facilitator(client, admin, program)
    assert facilitator["affiliate_id"] == 61 and facilitator["shared"] is False
    eventually(lambda: _applied(facilitator["id"]))
    staffed = _cohort(client, admin_headers, theirs.id)
    assert [f["id"] for f in staffed["facilitators"]] == [facilitator["id"]]
    waiting = _cohort(client, admin_headers, other.id)
    assert waiting["status"] == "needs_facilitator"
    assert waiting["needs_facilitator_reason"] == "nobody_certified"
    assert (
        "(1 certified but kept to their own affiliate's offerings)"
        in waiting["needs_facilitator_detail"]
    )
    path = f"/facilitators/{facilitator['id']}/sharing"
    assert client.put(path, json={"shared": True}, headers=admin).status_code == 403
    assert (
        client.put(path, json={"shared": True}, headers=facilitator["headers"]).status_code == 403
    )
    assert (
        client.put(
            "/facilitators/999999999/sharing", json={"shared": True}, headers=admin_headers
        ).status_code
        == 404
    )
    shared = client.put(path, json={"shared": True}, headers=admin_headers)
    assert shared.status_code == 200 and shared.json()["shared"] is True
    eventually(lambda: _cohort(client, admin_headers, other.id)["facilitators"])
    assert _cohort(client, admin_headers, other.id)["facilitators"][0]["id"] == facilitator["id"]


def test_a_facilitator_is_booked_only_once_they_have_proven_their_address(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    from datetime import UTC

    from shared import events
    from tests.support.scheduler import apply

    program = program_code()
    waiting = publish(offering_state(program=program, starts=[datetime(2027, 9, 6, 9)]))
    facilitator = new_facilitator(client, admin_headers, program, accepts=False)
    assert facilitator["verified"] is False
    eventually(lambda: _applied(facilitator["id"]))
    assert _cohort(client, admin_headers, waiting.id)["facilitators"] == []
    assert _assigned_to(facilitator["id"]) == [], "nobody unproven is booked or mailed"
    proven = events.PersonVerified(person_id=facilitator["id"], verified_at=datetime.now(UTC))
    apply(proven)
    apply(proven)
    eventually(lambda: _cohort(client, admin_headers, waiting.id)["facilitators"])
    assert [f["id"] for f in _cohort(client, admin_headers, waiting.id)["facilitators"]] == [
        facilitator["id"]
    ]
    assert len(_assigned_to(facilitator["id"])) == 1
