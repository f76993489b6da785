"""POST /registrations hands its pooled connection back with every answer, success or refusal,
before the next request (a leak would exhaust the pool under a registration rush)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from services.scheduler.database import runtime
from tests.support.scheduler import new_educator, offering_state, publish
from tests.support.tokens import bearer, next_person_id, person_token

REQUEST_THREAD = "AnyIO worker thread"


@contextmanager
def _held_by_requests() -> Iterator[dict[int, str]]:
    """Connections checked out by request threads and not yet checked in (background threads,
    such as the relay and the revocation poller, are left out)."""
    held: dict[int, str] = {}
    pool = runtime.engine().pool

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        name = threading.current_thread().name
        if name.startswith(REQUEST_THREAD):
            held[id(dbapi_connection)] = name

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        held.pop(id(dbapi_connection), None)

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        yield held
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)


def test_every_answer_returns_its_connection(client: TestClient) -> None:
    state = publish(offering_state(capacity=1))
    educator, other = new_educator(client), new_educator(client)
    nameless = bearer(person_token(next_person_id(), [{"role": "educator"}]))
    asks = [
        (educator["headers"], state.id, {}, 201),
        (educator["headers"], state.id, {}, 200),
        (other["headers"], state.id, {"Idempotency-Key": "k-1"}, 201),
        (other["headers"], state.id, {"Idempotency-Key": "k-1"}, 201),
        (other["headers"], 987654321, {"Idempotency-Key": "k-1"}, 404),
        (nameless, state.id, {}, 403),
    ]
    with _held_by_requests() as held:
        for headers, offering_id, extra, status in asks:
            answer = client.post(
                "/registrations", json={"offering_id": offering_id}, headers=headers | extra
            )
            assert answer.status_code == status, answer.text
            assert held == {}, f"{status}: a connection was left checked out"
