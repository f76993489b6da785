"""Races on PostgreSQL, each with a control run that shows the race happening without the guard.

Guarded runs go through a real uvicorn with two worker processes (or, for facilitator bookings,
through the worker's code path in many threads). Control runs use the same service code in
threads against a separate database whose guards are dropped, with the row locks replaced by a
pause between check and write, and must show the overbooking / duplicate / overlap.
"""

import os
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.scheduler import service_assignments, service_registrations
from services.scheduler.models import Educator, Facilitator, Meeting, Offering, SchedulerTable
from services.scheduler.service_offerings import apply_offering_published
from services.scheduler.service_registrations import register_educator
from services.scheduler.snapshots import offering_meetings
from shared import events
from shared.db import create_schema
from tests.support.infra import create_database, drop_database
from tests.support.scheduler import (  # noqa: F401
    WEEKDAYS,
    new_educator,
    offering_state,
    program_code,
    run_together,
    scheduler_client,
    scheduler_server,
)

PAUSE = 0.15
pytestmark = pytest.mark.timeout(240)


def _small_engine(url: str) -> Engine:
    # At most 20 connections: the server is shared with other test sessions.
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=20, max_overflow=0
    )


@pytest.fixture(scope="module")
def unguarded_url() -> Iterator[str]:
    """A scheduler database without its guards: no unique index, no exclusion constraints."""
    name = f"cohort_sched_control_{os.getpid()}_{secrets.token_hex(3)}"
    url = create_database(name)
    engine = _small_engine(url)
    create_schema(engine, SchedulerTable.metadata)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX uq_registration_active")
        connection.exec_driver_sql(
            "ALTER TABLE facilitator_booking DROP CONSTRAINT facilitator_booking_no_overlap, "
            "DROP CONSTRAINT facilitator_booking_travel_buffer"
        )
    engine.dispose()
    yield url
    drop_database(name)


@pytest.fixture()
def unguarded(unguarded_url: str) -> Iterator[Engine]:
    engine = _small_engine(unguarded_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def guarded() -> Iterator[Engine]:
    """The session's scheduler database, through a small pool of its own."""
    from services.scheduler.database import runtime

    engine = _small_engine(runtime.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scheduler_server(test_env, tmp_path_factory.mktemp("sched-race"), workers=2) as url:
        yield url


@pytest.fixture()
def relay_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process thread runs leave their events to the relay.

    The fast path marks events sent on a second pooled connection while the first is still
    held; with more threads than pooled connections (40 > 30) that could starve the pool. The
    API caps its request threads for the same reason (`services.scheduler.main`).
    """
    from services.scheduler.database import runtime

    monkeypatch.setattr(runtime.outbox, "send_now", lambda _engine, _envelopes: None)


def _publish(engine: Engine, state: events.Offering) -> None:
    with Session(engine) as session:
        apply_offering_published(session, events.OfferingPublished(offering=state))
        session.commit()


def _educators(engine: Engine, count: int) -> list[int]:
    with Session(engine) as session:
        rows = [
            Educator(name=f"E{i}", email=f"e{i}@x.org", email_key=f"{secrets.token_hex(8)}@x.org")
            for i in range(count)
        ]
        session.add_all(rows)
        session.commit()
        return [row.id or 0 for row in rows]


def _unlocked(pause_after: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the row locks by plain reads and pause after the named check."""

    def read(session: Session, offering_id: int) -> Offering | None:
        return session.get(Offering, offering_id, populate_existing=True)

    def read_educator(
        session: Session, educator_id: int, offering_id: int
    ) -> tuple[Educator | None, list[Meeting]]:
        educator = session.get(Educator, educator_id, populate_existing=True)
        return educator, offering_meetings(session, offering_id)

    original = getattr(service_registrations, pause_after)

    def check_then_pause(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(service_registrations, "lock_offering", read)
    monkeypatch.setattr(service_registrations, "lock_educator_with_meetings", read_educator)
    monkeypatch.setattr(service_registrations, pause_after, check_then_pause)


def _register_in(engine: Engine, educator_id: int, offering_id: int, key: str | None = None) -> int:
    with Session(engine, expire_on_commit=False) as session:
        answer = register_educator(
            session, educator_id=educator_id, offering_id=offering_id, idempotency_key=key
        )
        return answer.status_code


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


# --- (a) capacity -------------------------------------------------------------------------------


def test_control_capacity_overbooks_without_the_lock(
    unguarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    state = offering_state(capacity=10)
    _publish(unguarded, state)
    educators = _educators(unguarded, 40)
    _unlocked("seat_board", monkeypatch)
    results = run_together(40, lambda i: _register_in(unguarded, educators[i], state.id))
    assert all(r == 201 for r in results), results
    confirmed = _count(
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
        _count(
            engine,
            "SELECT count(*) FROM registration WHERE offering_id = :o AND status = 'confirmed'",
            o=state.id,
        )
        == 25
    )
    roster_positions = _count(
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
    _publish(unguarded, state)
    (educator,) = _educators(unguarded, 1)
    _unlocked("seat_board", monkeypatch)
    run_together(50, lambda _i: _register_in(unguarded, educator, state.id))
    active = _count(
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
            _count(
                runtime.engine(),
                "SELECT count(*) FROM registration WHERE offering_id = :o AND educator_id = :e",
                o=state.id,
                e=person["id"],
            )
            == 1
        )


# --- (c) facilitator bookings ------------------------------------------------------------------

OVERLAPS = (
    "SELECT count(*) FROM facilitator_booking a JOIN facilitator_booking b "
    "ON a.facilitator_id = b.facilitator_id AND a.id < b.id AND a.active AND b.active "
    "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at WHERE a.facilitator_id = :f"
)


def _facilitator(engine: Engine, program: str) -> int:
    with Session(engine) as session:
        row = Facilitator(
            name="Solo",
            email="solo@x.org",
            email_key=f"{secrets.token_hex(8)}@x.org",
            timezone="America/New_York",
            certifications=[program],
            home_state="OH",
            max_sessions_per_month=200,
            availability=WEEKDAYS,
        )
        session.add(row)
        session.commit()
        return row.id or 0


def _overlapping_offerings(program: str, count: int) -> list[events.Offering]:
    starts = [datetime(2029, 9, 12, 9)]
    return [offering_state(program=program, starts=starts) for _ in range(count)]


def _without_facilitator_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    def pause_instead(_session: Session, _ids: Any) -> None:
        time.sleep(PAUSE)

    monkeypatch.setattr(service_assignments, "lock_facilitators", pause_instead)


def test_control_facilitator_overlaps_without_lock_and_constraint(
    unguarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    program = program_code()
    facilitator = _facilitator(unguarded, program)
    offerings = _overlapping_offerings(program, 40)
    _without_facilitator_lock(monkeypatch)
    run_together(40, lambda i: _publish(unguarded, offerings[i]))
    assert _count(unguarded, OVERLAPS, f=facilitator) > 0, "the control run should overlap"


@pytest.mark.parametrize("guard", ["row lock and constraint", "constraint alone"])
def test_40_concurrent_assignments_never_overlap(
    guard: str, guarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    engine = guarded
    program = program_code()
    facilitator = _facilitator(engine, program)
    offerings = _overlapping_offerings(program, 40)
    if guard == "constraint alone":
        _without_facilitator_lock(monkeypatch)
    results = run_together(40, lambda i: _publish(engine, offerings[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert _count(engine, OVERLAPS, f=facilitator) == 0
    assigned = _count(
        engine,
        "SELECT count(*) FROM assignment WHERE facilitator_id = :f AND status = 'active'",
        f=facilitator,
    )
    assert assigned == 1
    waiting = _count(
        engine,
        "SELECT count(*) FROM cohort WHERE offering_id = ANY(:ids) "
        "AND status = 'needs_facilitator' AND needs_facilitator_reason = 'nobody_available'",
        ids=[o.id for o in offerings],
    )
    assert waiting == 39
