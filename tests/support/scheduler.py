"""Builders and fixtures for scheduler tests: people through the API, offerings through events."""

import itertools
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import events
from shared.events import Envelope, wrap
from tests.support.factories import meeting, offering
from tests.support.processes import Process, celery_worker
from tests.support.tokens import bearer, educator_token, facilitator_token, next_person_id

_ids = itertools.count(1000 + secrets.randbelow(10_000) * 100)
ZONE = "America/New_York"
WEEKDAYS = [{"weekday": day, "start": "07:00", "end": "21:00"} for day in range(7)]


def next_id() -> int:
    """An offering id not used yet in this test session."""
    return next(_ids)


def program_code() -> str:
    """A program code no other test's facilitators are certified for."""
    return f"prog-{secrets.token_hex(4)}"


def offering_state(
    *,
    program: str | None = None,
    starts: list[datetime] | None = None,
    hours: float = 3,
    **changes: Any,
) -> events.Offering:
    """A published offering (own id, own program code) with meetings at the given local starts."""
    offering_id = next_id()
    state = offering(offering_id, program_code=program or program_code(), **changes)
    if starts is not None:
        state = state.model_copy(
            update={
                "meetings": [
                    meeting(offering_id * 10 + n, start, hours, state.timezone)
                    for n, start in enumerate(starts, start=1)
                ]
            }
        )
    return state


def apply(event: events.Event) -> Envelope:
    """Apply an event as the scheduler worker would (dedupe and handler in one transaction)."""
    from services.scheduler.tasks import consumer

    envelope = wrap(event, producer="registry")
    consumer.apply_once(envelope)
    return envelope


def publish(state: events.Offering) -> events.Offering:
    """Apply `offering.published` for a state and return it."""
    apply(events.OfferingPublished(offering=state))
    return state


def new_educator(client: TestClient | None = None, name: str = "Edu") -> dict[str, Any]:
    """A person just signed in by accounts, as an educator: id, name, email, token, headers.
    Their scheduler profile is made by their first request."""
    email = f"{name.lower()}-{secrets.token_hex(5)}@schools.example.org"
    person_id = next_person_id()
    token = educator_token(person_id, email, name, zoneinfo=ZONE)
    return {"id": person_id, "name": name, "email": email, "token": token, "headers": bearer(token)}


def new_facilitator(
    client: TestClient,
    headers: dict[str, str],
    program: str,
    *,
    accepts: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """Add a facilitator certified for `program`, available every day 07:00-21:00 by default,
    who (unless `accepts` is false) then proves their address as accepting the invitation does."""
    body = {
        "name": fields.pop("name", f"Fac {secrets.token_hex(2)}"),
        "email": f"fac-{secrets.token_hex(5)}@trainers.example.org",
        "timezone": ZONE,
        "certifications": [program],
        "home_state": "OH",
        "max_sessions_per_month": 20,
        "availability": WEEKDAYS,
        **fields,
    }
    response = client.post("/facilitators", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    created["token"] = facilitator_token(created["id"], email=body["email"], name=body["name"])
    created["headers"] = bearer(created["token"])
    if accepts:
        apply(events.PersonVerified(person_id=created["id"], verified_at=datetime.now(UTC)))
    return created


_clients: list[TestClient] = []


@pytest.fixture(scope="session", name="client")
def scheduler_client(request: pytest.FixtureRequest, accounts_server: str) -> TestClient:
    """The scheduler app in-process, on the session's PostgreSQL database and Redis.

    Each test module that imports this fixture gets its own definition of it; one app (and one
    outbox relay) serves them all and stops when the session ends.
    """
    if not _clients:
        from services.scheduler.main import create_app

        test_client = TestClient(create_app())
        test_client.__enter__()
        _clients.append(test_client)
        request.addfinalizer(lambda: test_client.__exit__(None, None, None))
    return _clients[0]


def outbox_events(event_type: str, **matching: Any) -> list[dict[str, Any]]:
    """Data of outbox events of one type whose top-level fields equal `matching`."""
    import json

    from sqlalchemy import select

    from services.scheduler.database import runtime

    table = runtime.bus_tables.outbox
    with runtime.engine().connect() as connection:
        rows = connection.execute(
            select(table.c.payload).where(table.c.type == event_type).order_by(table.c.id)
        ).all()
    found = [json.loads(row.payload)["data"] for row in rows]
    return [d for d in found if all(d.get(k) == v for k, v in matching.items())]


def run_together(count: int, work: Any, timeout: float = 120) -> list[Any]:
    """Run `work(i)` in `count` threads released at once; results (or errors) in order."""
    import threading

    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


@contextmanager
def scheduler_server(env: dict[str, str], log_dir: Any, workers: int = 2) -> Iterator[str]:
    """A real uvicorn serving the scheduler with `workers` processes; yields its base URL."""
    from tests.support.processes import BIN, free_port, wait_http

    port = free_port()
    argv = [
        str(BIN / "uvicorn"),
        "services.scheduler.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    process = Process(f"scheduler-{port}", argv, env, log_dir).start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
        assert "Traceback" not in process.log(), process.log()[-3000:]


def get_roster(client: TestClient, headers: dict[str, str], offering_id: int) -> dict[str, Any]:
    """An offering's roster (asserting 200)."""
    response = client.get(f"/offerings/{offering_id}/roster", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def register(client: TestClient, educator: dict[str, Any], offering_id: int) -> dict[str, Any]:
    """Register an educator (asserting 200 or 201); the registration."""
    response = client.post(
        "/registrations", json={"offering_id": offering_id}, headers=educator["headers"]
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def update_offering(state: events.Offering, changed: list[str], **changes: Any) -> events.Offering:
    """Apply `offering.updated` with a newer state (next version, later clock); return it."""
    later = (state.updated_at or datetime(2027, 1, 1)) + timedelta(minutes=1)
    version = state.version + 1 if state.version else 0
    newer = state.model_copy(update={"updated_at": later, "version": version, **changes})
    apply(events.OfferingUpdated(offering=newer, changed=changed))
    return newer


def moved_meetings(state: events.Offering, days: int) -> list[events.Meeting]:
    """The offering's meetings, each moved by a number of days (same ids, same local hours)."""
    return [
        meeting(m.id, m.starts_at.replace(tzinfo=None) + timedelta(days=days), 3, state.timezone)
        for m in state.meetings
    ]


def eventually(check: Callable[[], Any], timeout: float = 20) -> Any:
    """Poll `check` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module", name="worker")
def scheduler_worker(
    test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Process]:
    """A real scheduler worker (Celery, queue 'scheduler') for one test module."""
    process = celery_worker(
        "sched",
        "services.scheduler.tasks:celery_app",
        "scheduler",
        test_env,
        tmp_path_factory.mktemp("sched-logs"),
    ).start()
    process.wait_for_log("ready", timeout=60)
    yield process
    process.stop()
