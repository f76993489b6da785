"""GET /availability: seats left and waitlist length of many offerings, anonymous, one query."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from services.scheduler.database import runtime
from shared import events
from tests.support.scheduler import apply, new_educator, next_id, offering_state, publish, register
from tests.support.tokens import bearer, sign_with_another_key


def _availability(client: TestClient, *offering_ids: int) -> dict[int, tuple[int, int]]:
    answer = client.get("/availability", params={"offering_id": list(offering_ids)})
    assert answer.status_code == 200, answer.text
    return {
        item["offering_id"]: (item["seats_left"], item["waitlist_length"])
        for item in answer.json()["items"]
    }


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements the scheduler's engine runs meanwhile (registrations or offerings)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "registration" in statement or "offering" in statement:
            seen.append(statement)

    engine = runtime.engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_seats_fill_then_the_waitlist_grows(client: TestClient) -> None:
    state = publish(offering_state(capacity=2))
    assert _availability(client, state.id) == {state.id: (2, 0)}
    register(client, new_educator(client), state.id)
    assert _availability(client, state.id) == {state.id: (1, 0)}
    for _ in range(3):
        register(client, new_educator(client), state.id)
    assert _availability(client, state.id) == {state.id: (0, 2)}


def test_a_cancelled_seat_goes_to_the_waitlist_and_the_counts_follow(client: TestClient) -> None:
    state = publish(offering_state(capacity=1))
    first = new_educator(client)
    seat = register(client, first, state.id)
    register(client, new_educator(client), state.id)
    register(client, new_educator(client), state.id)
    assert _availability(client, state.id) == {state.id: (0, 2)}
    cancelled = client.post(f"/registrations/{seat['id']}/cancel", headers=first["headers"])
    assert cancelled.status_code == 200, cancelled.text
    assert _availability(client, state.id) == {state.id: (0, 1)}


def test_unknown_and_cancelled_offerings_are_left_out(client: TestClient) -> None:
    shown = publish(offering_state(capacity=3))
    gone = publish(offering_state(capacity=3))
    apply(events.OfferingCancelled(offering=gone.model_copy(update={"status": "cancelled"})))
    never, too_large = next_id(), 2**63 - 2
    found = _availability(client, shown.id, gone.id, never, too_large, shown.id)
    assert found == {shown.id: (3, 0)}


def test_a_batch_is_read_in_one_statement(client: TestClient) -> None:
    states = [publish(offering_state(capacity=4)) for _ in range(5)]
    for state in states[:3]:
        register(client, new_educator(client), state.id)
    with _statements() as seen:
        found = _availability(client, *(s.id for s in states))
    assert found == {s.id: (3 if n < 3 else 4, 0) for n, s in enumerate(states)}
    assert len(seen) == 1, seen


def test_anyone_may_ask_but_a_forged_token_is_refused(client: TestClient) -> None:
    state = publish(offering_state())
    forged = bearer(sign_with_another_key([{"role": "operator"}]))
    answer = client.get("/availability", params={"offering_id": state.id}, headers=forged)
    assert answer.status_code == 401


def test_too_many_ids_none_or_bad_ones_are_422_naming_the_field(client: TestClient) -> None:
    for params in (
        {"offering_id": list(range(1, 102))},
        {},
        {"offering_id": "seven"},
        {"offering_id": 0},
    ):
        answer = client.get("/availability", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["detail"][0]["loc"][:2] == ["query", "offering_id"], answer.text
    assert (
        client.get("/availability", params={"offering_id": list(range(1, 101))}).status_code == 200
    )


def test_the_route_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/availability"]["get"]
    assert operation["summary"] and "waitlist" in operation["description"]
    assert {"200", "401", "422"} <= set(operation["responses"])
