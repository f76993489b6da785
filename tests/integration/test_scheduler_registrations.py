"""Scheduler API for registrations: seats, waitlist, duplicates, keys, cancel, clash, roster."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from shared import events
from tests.support.scheduler import (
    apply,
    bearer,
    new_educator,
    offering_state,
    outbox_events,
    publish,
)
from tests.support.tokens import (
    educator_token,
    member_token,
    next_person_id,
    person_token,
)


def _register(client: TestClient, educator: dict[str, Any], offering_id: int, **headers: str):
    return client.post(
        "/registrations",
        json={"offering_id": offering_id},
        headers={**educator["headers"], **headers},
    )


def _affiliate(affiliate_id: int = 1) -> dict[str, str]:
    return bearer(member_token(affiliate_id))


def test_seats_then_waitlist_in_order(client: TestClient, admin_headers: dict[str, str]) -> None:
    state = publish(offering_state(capacity=2))
    answers = [_register(client, new_educator(client), state.id) for _ in range(4)]
    assert [a.status_code for a in answers] == [201] * 4
    bodies = [a.json() for a in answers]
    assert [b["status"] for b in bodies] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [b["waitlist_position"] for b in bodies] == [None, None, 1, 2]
    assert bodies[0]["cohort_id"] == bodies[1]["cohort_id"] is not None
    assert bodies[2]["cohort_id"] is None
    roster = client.get(f"/offerings/{state.id}/roster", headers=admin_headers).json()
    assert [m["registration_id"] for m in roster["cohorts"][0]["members"]] == [
        bodies[0]["id"],
        bodies[1]["id"],
    ]
    assert [(w["registration_id"], w["position"]) for w in roster["waitlist"]] == [
        (bodies[2]["id"], 1),
        (bodies[3]["id"], 2),
    ]


def test_events_carry_the_whole_cohort_and_recipient(client: TestClient) -> None:
    state = publish(offering_state(capacity=1))
    first, second = new_educator(client, "Lee"), new_educator(client, "Kim")
    confirmed = _register(client, first, state.id).json()
    waitlisted = _register(client, second, state.id).json()
    (event,) = outbox_events("registration.confirmed", registration_id=confirmed["id"])
    assert event["educator"]["email"] == first["email"] and event["educator"]["timezone"]
    cohort = event["cohort"]
    assert cohort["title"] == state.title and cohort["program_title"] == state.program_title
    assert cohort["venue"]["city"] == "Columbus" and cohort["format"] == "in_person"
    assert cohort["meetings"][0]["starts_at"] == "2027-03-10T09:00:00-05:00"
    assert cohort["meetings"][0]["starts_at_utc"] == "2027-03-10T14:00:00Z"
    assert event["promoted_from_waitlist"] is False
    (wait,) = outbox_events("registration.waitlisted", registration_id=waitlisted["id"])
    assert wait["position"] == 1 and wait["offering_title"] == state.title
    assert len(wait["meetings"]) == 2


def test_second_registration_returns_the_existing_one(client: TestClient) -> None:
    state = publish(offering_state())
    educator = new_educator(client)
    first = _register(client, educator, state.id)
    again = _register(client, educator, state.id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(f"/registrations?offering_id={state.id}", headers=educator["headers"])
    assert listed.json()["total"] == 1


def test_idempotency_key_replays_the_first_answer(client: TestClient) -> None:
    state = publish(offering_state(capacity=1))
    holder, educator = new_educator(client), new_educator(client)
    seat = _register(client, holder, state.id).json()
    first = _register(client, educator, state.id, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and first.json()["status"] == "waitlisted"
    # The seat frees and the educator is promoted: a replay still gets the first answer.
    client.post(f"/registrations/{seat['id']}/cancel", headers=holder["headers"])
    replay = _register(client, educator, state.id, **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 201 and replay.json() == first.json()
    fresh = _register(client, educator, state.id, **{"Idempotency-Key": "k-2"})
    assert fresh.status_code == 200 and fresh.json()["status"] == "confirmed"
    other = publish(offering_state(starts=[datetime(2027, 5, 5, 9)]))
    reused = _register(client, educator, other.id, **{"Idempotency-Key": "k-1"})
    assert reused.status_code == 409
    too_long = _register(client, educator, other.id, **{"Idempotency-Key": "x" * 256})
    assert too_long.status_code == 422
    # Keys are scoped to the educator: another educator's "k-1" is a new request.
    stranger = _register(client, new_educator(client), state.id, **{"Idempotency-Key": "k-1"})
    assert stranger.status_code == 201 and stranger.json()["id"] != first.json()["id"]


def test_refusals(client: TestClient, admin_headers: dict[str, str]) -> None:
    educator = new_educator(client)
    assert _register(client, educator, 987654321).status_code == 404
    closed = publish(
        offering_state(registration_closes_at_utc=datetime.now(UTC) - timedelta(hours=1))
    )
    answer = _register(client, educator, closed.id)
    assert answer.status_code == 409 and "closed" in answer.json()["detail"]
    cancelled = publish(offering_state())
    apply(events.OfferingCancelled(offering=cancelled.model_copy(update={"status": "cancelled"})))
    assert _register(client, educator, cancelled.id).status_code == 409
    assert client.post("/registrations", json={"offering_id": closed.id}).status_code == 401
    as_operator = client.post("/registrations", json={"offering_id": 1}, headers=admin_headers)
    assert as_operator.status_code == 403
    bad = client.post("/registrations", json={"offering": 1}, headers=educator["headers"])
    assert bad.status_code == 422
    open_one = publish(offering_state())
    just_signed_in = bearer(
        educator_token(next_person_id(), f"new-{open_one.id}@schools.example.org")
    )
    fresh = client.post("/registrations", json={"offering_id": open_one.id}, headers=just_signed_in)
    assert fresh.status_code == 201, "a just-verified educator registers at once"
    nameless = bearer(person_token(next_person_id(), [{"role": "educator"}]))
    refused = client.post("/registrations", json={"offering_id": open_one.id}, headers=nameless)
    assert refused.status_code == 403


def test_cancel_promotes_the_waitlist_head_and_shifts_positions(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = publish(offering_state(capacity=1))
    people = [new_educator(client) for _ in range(4)]
    regs = [_register(client, p, state.id).json() for p in people]
    answer = client.post(f"/registrations/{regs[0]['id']}/cancel", headers=people[0]["headers"])
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    head = client.get(f"/registrations/{regs[1]['id']}", headers=people[1]["headers"]).json()
    assert head["status"] == "confirmed" and head["cohort_id"] == regs[0]["cohort_id"]
    tail = [
        client.get(f"/registrations/{r['id']}", headers=p["headers"]).json()
        for r, p in zip(regs[2:], people[2:], strict=True)
    ]
    assert [t["waitlist_position"] for t in tail] == [1, 2]
    (promoted,) = outbox_events("registration.confirmed", registration_id=regs[1]["id"])
    assert promoted["promoted_from_waitlist"] is True
    (gone,) = outbox_events("registration.cancelled", registration_id=regs[0]["id"])
    assert gone["reason"] == "by_educator" and gone["previous_status"] == "confirmed"
    assert gone["cohort"]["id"] == regs[0]["cohort_id"]
    again = client.post(f"/registrations/{regs[0]['id']}/cancel", headers=people[0]["headers"])
    assert again.status_code == 200
    assert len(outbox_events("registration.cancelled", registration_id=regs[0]["id"])) == 1
    # A waitlisted registration leaving frees nothing; the operator may cancel too.
    client.post(f"/registrations/{regs[2]['id']}/cancel", headers=admin_headers)
    (left,) = outbox_events("registration.cancelled", registration_id=regs[2]["id"])
    assert left["reason"] == "by_operator" and left["cohort"] is None
    last = client.get(f"/registrations/{regs[3]['id']}", headers=admin_headers).json()
    assert last["waitlist_position"] == 1


def test_who_may_see_and_cancel(client: TestClient, admin_headers: dict[str, str]) -> None:
    state = publish(offering_state(affiliate_id=41))
    owner, stranger = new_educator(client), new_educator(client)
    reg = _register(client, owner, state.id).json()
    path = f"/registrations/{reg['id']}"
    assert client.get(path, headers=owner["headers"]).status_code == 200
    assert client.get(path, headers=_affiliate(41)).status_code == 200
    assert client.get(path, headers=admin_headers).status_code == 200
    assert client.get(path, headers=stranger["headers"]).status_code == 404
    assert client.get(path, headers=_affiliate(42)).status_code == 404
    facilitator = bearer(person_token(next_person_id(), [{"role": "facilitator"}]))
    assert client.get(path, headers=facilitator).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/registrations/987654321", headers=admin_headers).status_code == 404
    assert client.post(f"{path}/cancel", headers=stranger["headers"]).status_code == 404
    assert client.post(f"{path}/cancel", headers=_affiliate(42)).status_code == 404
    assert client.post(f"{path}/cancel", headers=facilitator).status_code == 403
    assert client.post(f"{path}/cancel", headers=_affiliate(41)).status_code == 200
    (event,) = outbox_events("registration.cancelled", registration_id=reg["id"])
    assert event["reason"] == "by_affiliate"


def test_lists_are_scoped_and_paged(client: TestClient, admin_headers: dict[str, str]) -> None:
    one = publish(offering_state(affiliate_id=51, starts=[datetime(2027, 6, 1, 9)]))
    two = publish(offering_state(affiliate_id=52, starts=[datetime(2027, 6, 2, 9)]))
    educator, other = new_educator(client), new_educator(client)
    _register(client, educator, one.id)
    _register(client, educator, two.id)
    _register(client, other, one.id)
    mine = client.get("/registrations", headers=educator["headers"]).json()
    assert mine["total"] == 2 and {r["offering_id"] for r in mine["items"]} == {one.id, two.id}
    page = client.get("/registrations?limit=1", headers=educator["headers"]).json()
    assert len(page["items"]) == 1 and page["total"] == 2
    by_affiliate = client.get("/registrations", headers=_affiliate(51)).json()
    assert by_affiliate["total"] == 2
    assert {r["offering_id"] for r in by_affiliate["items"]} == {one.id}
    everyone = client.get(f"/registrations?offering_id={one.id}", headers=admin_headers).json()
    assert everyone["total"] == 2
    confirmed = client.get("/registrations?status=confirmed", headers=educator["headers"])
    assert confirmed.json()["total"] == 2
    assert client.get("/registrations?status=lost", headers=admin_headers).status_code == 422
    assert client.get("/registrations?offset=-1", headers=admin_headers).status_code == 422
    facilitator = bearer(person_token(next_person_id(), [{"role": "facilitator"}]))
    assert client.get("/registrations", headers=facilitator).status_code == 403


def test_overlapping_offerings_clash(client: TestClient) -> None:
    first = publish(offering_state(starts=[datetime(2027, 7, 5, 9)], title="Morning A"))
    overlapping = publish(offering_state(starts=[datetime(2027, 7, 5, 11)]))
    later = publish(offering_state(starts=[datetime(2027, 7, 5, 12)]))
    educator = new_educator(client)
    assert _register(client, educator, first.id).status_code == 201
    clash = _register(client, educator, overlapping.id)
    assert clash.status_code == 409
    assert str(first.id) in clash.json()["detail"] and "Morning A" in clash.json()["detail"]
    assert _register(client, educator, later.id).status_code == 201


def test_promotion_skips_a_clashing_head_which_keeps_its_place(client: TestClient) -> None:
    full = publish(offering_state(capacity=1, starts=[datetime(2027, 8, 2, 9)]))
    rival = publish(offering_state(starts=[datetime(2027, 8, 2, 10)]))
    holder, head, next_in_line = new_educator(client), new_educator(client), new_educator(client)
    seat = _register(client, holder, full.id).json()
    waiting_head = _register(client, head, full.id).json()
    waiting_next = _register(client, next_in_line, full.id).json()
    # The head takes a seat elsewhere at overlapping times (waitlists do not clash).
    assert _register(client, head, rival.id).json()["status"] == "confirmed"
    client.post(f"/registrations/{seat['id']}/cancel", headers=holder["headers"])
    head_now = client.get(f"/registrations/{waiting_head['id']}", headers=head["headers"]).json()
    assert head_now["status"] == "waitlisted" and head_now["waitlist_position"] == 1
    promoted = client.get(
        f"/registrations/{waiting_next['id']}", headers=next_in_line["headers"]
    ).json()
    assert promoted["status"] == "confirmed"


def test_roster_is_for_the_owner_and_operator(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = publish(offering_state(affiliate_id=61))
    path = f"/offerings/{state.id}/roster"
    assert client.get(path, headers=_affiliate(61)).status_code == 200
    assert client.get(path, headers=_affiliate(62)).status_code == 404
    assert client.get(path, headers=new_educator(client)["headers"]).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/offerings/987654321/roster", headers=admin_headers).status_code == 404
    roster = client.get(path, headers=admin_headers).json()
    assert set(roster) == {"offering_id", "cohorts", "waitlist"}
    (cohort,) = roster["cohorts"]
    assert cohort["index"] == 1 and cohort["status"] == "needs_facilitator"
    assert cohort["needs_facilitator_reason"] == "nobody_certified"
    assert cohort["facilitators"] == [] and cohort["overflow"] == 0


def test_an_expired_idempotency_key_is_a_new_request(client: TestClient) -> None:
    from sqlalchemy import update

    from services.scheduler.database import runtime
    from services.scheduler.models import IdempotencyKey

    state = publish(offering_state(capacity=1))
    educator = new_educator(client)
    first = _register(client, educator, state.id, **{"Idempotency-Key": "k-old"})
    assert first.status_code == 201
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    with runtime.engine().begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.educator_id == educator["id"], table.c.key == "k-old")
            .values(created_at=datetime.now(UTC) - timedelta(days=8))
        )
    # Past its period (not yet swept) the key no longer replays: the request runs again.
    again = _register(client, educator, state.id, **{"Idempotency-Key": "k-old"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    replay = _register(client, educator, state.id, **{"Idempotency-Key": "k-old"})
    assert replay.status_code == 200


def test_the_relay_sweep_forgets_expired_keys() -> None:
    from sqlalchemy import insert, select

    from services.scheduler.database import runtime
    from services.scheduler.models import IdempotencyKey

    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    old = datetime.now(UTC) - timedelta(days=8)
    row = {"educator_id": 424242, "key": "swept", "offering_id": 1, "status_code": 201}
    with runtime.engine().begin() as connection:
        connection.execute(insert(table), {**row, "body": {}, "created_at": old})
    assert runtime.purge_expired() >= 1
    with runtime.engine().connect() as connection:
        kept = connection.execute(select(table.c.key).where(table.c.educator_id == 424242))
        assert kept.all() == []
