"""Registration races on PostgreSQL, each with a control run that shows the race without its guard.

Guarded runs go through a real uvicorn with two worker processes. Control runs use the same
service code in threads against a database whose guards are dropped, with the row locks
replaced by plain reads and a pause between check and write; they must overbook / duplicate.
"""

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.scheduler.models import Educator, Offering
from services.scheduler.registrations import register as service_registrations
from services.scheduler.registrations.register import register_educator
from tests.support.scheduler import (
    new_educator,
    offering_state,
    run_together,
    scheduler_server,
)
from tests.support.scheduler_race import (
    PAUSE,
    count,
    educators_in,
    publish_in,
)

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def server(test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scheduler_server(test_env, tmp_path_factory.mktemp("sched-race"), workers=2) as url:
        yield url


def _unlocked(pause_after: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the row locks by plain reads and pause after the named check."""

    def read(
        session: Session, offering_id: int, educator_id: int
    ) -> tuple[Offering | None, Educator | None]:
        offering = session.get(Offering, offering_id, populate_existing=True)
        return offering, session.get(Educator, educator_id, populate_existing=True)

    original = getattr(service_registrations, pause_after)

    def check_then_pause(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(service_registrations, "lock_parties", read)
    monkeypatch.setattr(service_registrations, pause_after, check_then_pause)


def _register_in(engine: Engine, educator_id: int, offering_id: int, key: str | None = None) -> int:
    with Session(engine, expire_on_commit=False) as session:
        answer = register_educator(
            session=session, educator_id=educator_id, offering_id=offering_id, idempotency_key=key
        )
        return answer.status_code


# --- (a) capacity -------------------------------------------------------------------------------


def test_control_capacity_overbooks_without_the_lock(
    unguarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    state = offering_state(capacity=10)
    publish_in(unguarded, state)
    educators = educators_in(unguarded, 40)
    _unlocked("seat_board", monkeypatch)
    results = run_together(40, lambda i: _register_in(unguarded, educators[i], state.id))
    assert all(r == 201 for r in results), results
    confirmed = count(
        unguarded,
        "SELECT count(*) FROM registration WHERE offering_id = :o AND status = 'confirmed'",
        o=state.id,
    )
    assert confirmed > 10, "the control run should overbook"


def test_300_concurrent_registrations_fill_25_seats_exactly(
    server: str, client: TestClient
) -> None:
    from tests.support.scheduler import publish

    state = publish(offering_state(capacity=25, max_cohorts=1))
    people = [new_educator(client, f"R{i}") for i in range(300)]

    def register(index: int) -> httpx.Response:
        with httpx.Client(base_url=server, timeout=120) as http:
            return http.post(
                "/registrations",
                json={"offering_id": state.id},
                headers=people[index]["headers"],
            )

    answers = run_together(300, register)
    assert all(isinstance(a, httpx.Response) for a in answers), [
        a for a in answers if not isinstance(a, httpx.Response)
    ][:3]
    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 300}, codes
    bodies = [a.json() for a in answers]
    statuses = Counter(b["status"] for b in bodies)
    assert statuses == {"confirmed": 25, "waitlisted": 275}
    positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    assert positions == list(range(1, 276))
    assert len({b["id"] for b in bodies}) == 300
    from services.scheduler.database import runtime

    engine = runtime.engine()
    assert (
        count(
            engine,
            "SELECT count(*) FROM registration WHERE offering_id = :o AND status = 'confirmed'",
            o=state.id,
        )
        == 25
    )
    roster_positions = count(
        engine,
        "SELECT count(DISTINCT waitlist_seq) FROM registration "
        "WHERE offering_id = :o AND status = 'waitlisted'",
        o=state.id,
    )
    assert roster_positions == 275


# --- (b) duplicates ----------------------------------------------------------------------------


def test_control_duplicates_without_the_lock_and_index(
    unguarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    state = offering_state(capacity=100)
    publish_in(unguarded, state)
    (educator,) = educators_in(unguarded, 1)
    _unlocked("seat_board", monkeypatch)
    run_together(50, lambda _i: _register_in(unguarded, educator, state.id))
    active = count(
        unguarded,
        "SELECT count(*) FROM registration WHERE offering_id = :o AND educator_id = :e "
        "AND status IN ('confirmed', 'waitlisted')",
        o=state.id,
        e=educator,
    )
    assert active > 1, "the control run should register the educator twice"


def test_50_concurrent_duplicates_make_one_registration(server: str, client: TestClient) -> None:
    from tests.support.scheduler import publish

    state = publish(offering_state(capacity=100))
    educator, keyed = new_educator(client), new_educator(client)

    def register(person: dict[str, Any], key: str | None) -> httpx.Response:
        headers = {**person["headers"], **({"Idempotency-Key": key} if key else {})}
        with httpx.Client(base_url=server, timeout=120) as http:
            return http.post("/registrations", json={"offering_id": state.id}, headers=headers)

    plain = run_together(50, lambda _i: register(educator, None))
    assert Counter(a.status_code for a in plain) == {201: 1, 200: 49}
    assert len({a.json()["id"] for a in plain}) == 1
    with_key = run_together(50, lambda _i: register(keyed, "same-key"))
    assert Counter(a.status_code for a in with_key) == {201: 50}
    assert len({a.text for a in with_key}) == 1
    from services.scheduler.database import runtime

    for person in (educator, keyed):
        assert (
            count(
                runtime.engine(),
                "SELECT count(*) FROM registration WHERE offering_id = :o AND educator_id = :e",
                o=state.id,
                e=person["id"],
            )
            == 1
        )
