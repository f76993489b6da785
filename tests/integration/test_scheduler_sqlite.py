"""The registration guarantees on SQLite: a real uvicorn with two workers on one database file."""

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.scheduler.models import Educator
from services.scheduler.offerings.service import apply_offering_published
from shared import events
from shared.db import engine_for
from tests.support.scheduler import bearer, offering_state, run_together, scheduler_server
from tests.support.tokens import educator_token

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sched-sqlite') / 'scheduler.db'}"


@pytest.fixture(scope="module")
def engine(sqlite_url: str) -> Iterator[Engine]:
    from services.scheduler.database import runtime

    engine = engine_for(sqlite_url)
    runtime.migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(
    sqlite_url: str,
    engine: Engine,
    test_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    env = {**test_env, "SCHEDULER_DATABASE_URL": sqlite_url}
    with scheduler_server(env, tmp_path_factory.mktemp("sqlite-logs"), workers=2) as url:
        yield url


def _educators(engine: Engine, count: int) -> list[dict[str, str]]:
    with Session(engine) as session:
        rows = [
            Educator(name=f"S{i}", email=f"s{i}@x.org", email_key=f"s{i}-{id(session)}@x.org")
            for i in range(count)
        ]
        session.add_all(rows)
        session.commit()
        return [bearer(educator_token(row.id or 0, row.email)) for row in rows]


def _post(server: str, offering_id: int, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=server, timeout=120) as http:
        return http.post("/registrations", json={"offering_id": offering_id}, headers=headers)


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def test_100_concurrent_registrations_fill_10_seats(server: str, engine: Engine) -> None:
    state = offering_state(capacity=10)
    with Session(engine) as session:
        apply_offering_published(session, events.OfferingPublished(offering=state))
        session.commit()
    people = _educators(engine, 100)
    answers = run_together(100, lambda i: _post(server, state.id, people[i]))
    assert all(isinstance(a, httpx.Response) for a in answers), answers[:3]
    assert Counter(a.status_code for a in answers) == {201: 100}
    bodies = [a.json() for a in answers]
    assert Counter(b["status"] for b in bodies) == {"confirmed": 10, "waitlisted": 90}
    positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    assert positions == list(range(1, 91))
    confirmed = _count(
        engine,
        "SELECT count(*) FROM registration WHERE offering_id = :o AND status = 'confirmed'",
        o=state.id,
    )
    assert confirmed == 10


def test_concurrent_duplicates_make_one_registration(server: str, engine: Engine) -> None:
    state = offering_state(capacity=5)
    with Session(engine) as session:
        apply_offering_published(session, events.OfferingPublished(offering=state))
        session.commit()
    (person,) = _educators(engine, 1)
    answers = run_together(30, lambda _i: _post(server, state.id, person))
    assert Counter(a.status_code for a in answers) == {201: 1, 200: 29}
    assert (
        _count(engine, "SELECT count(*) FROM registration WHERE offering_id = :o", o=state.id) == 1
    )


def test_database_file_is_the_one_served(sqlite_url: str) -> None:
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()
