"""`person.erased` in the scheduler (PostgreSQL): names and emails go from every row and stored
event; registrations, cohorts, waitlists and assignments stay as they were."""

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from services.scheduler.database import runtime
from shared.events import Envelope, PersonErased, wrap
from tests.support.erasure import places_holding, row_counts
from tests.support.scheduler import (
    WEEKDAYS,
    ZONE,
    get_roster,
    new_educator,
    offering_state,
    program_code,
    publish,
)
from tests.support.tokens import next_person_id


def erase(person_id: int, envelope: Envelope | None = None) -> tuple[Envelope, bool]:
    """Apply `person.erased` as the scheduler worker does; the envelope, and whether it applied."""
    from services.scheduler.tasks import consumer

    envelope = envelope or wrap(
        PersonErased(person_id=person_id, erased_at=datetime.now(UTC)), producer="accounts"
    )
    return envelope, consumer.apply_once(envelope)


def add_facilitator(program: str, name: str) -> dict[str, Any]:
    """A facilitator in the pool, certified for `program`, as accounts' invitation leaves one."""
    from sqlmodel import Session

    from services.scheduler.models import Facilitator

    person_id = next_person_id()
    email = f"Fac-{secrets.token_hex(5)}@Trainers.example.org"
    row = Facilitator(
        id=person_id,
        name=name,
        email=email,
        email_key=email.lower(),
        timezone=ZONE,
        certifications=[program],
        home_state="OH",
        max_sessions_per_month=20,
        availability=WEEKDAYS,
        verified=True,
    )
    with Session(runtime.engine()) as session:
        session.add(row)
        session.commit()
    return {"id": person_id, "name": name, "email": email}


def park_event_naming(person: dict[str, Any]) -> None:
    """A parked event that names the person, as a dead event would."""
    recipient = {"kind": "educator", "id": person["id"], "name": person["name"]}
    payload = {"type": "registration.confirmed", "data": {"educator": recipient | person}}
    row = {
        "event_id": secrets.token_hex(8),
        "type": "registration.confirmed",
        "consumer": "scheduler",
        "payload": json.dumps(payload, default=str),
        "error": "parked for the test",
        "attempts": 1,
        "died_at": datetime.now(UTC),
    }
    with runtime.engine().begin() as connection:
        connection.execute(insert(runtime.bus_tables.dead).values(row))


def register(client: TestClient, educator: dict[str, Any], offering_id: int, key: str) -> None:
    headers = educator["headers"] | {"Idempotency-Key": key}
    response = client.post("/registrations", json={"offering_id": offering_id}, headers=headers)
    assert response.status_code == 201, response.text


def roster_counts(client: TestClient, headers: dict[str, str], offering_id: int) -> Any:
    roster = get_roster(client, headers, offering_id)
    cohorts = [(c["status"], len(c["members"]), len(c["facilitators"])) for c in roster["cohorts"]]
    return cohorts, len(roster["waitlist"])


def snapshot() -> dict[str, list[Any]]:
    """Every row of the tables erasure may touch (not the relay's sent marks)."""
    tables = runtime.bus_tables
    wanted = ("educator", "facilitator", "assignment", "idempotency_key", "registration")
    with runtime.engine().connect() as connection:
        rows = {
            name: [tuple(r) for r in connection.execute(select(table).order_by(*table.primary_key))]
            for name, table in runtime.metadata.tables.items()
            if name in wanted
        }
        for name, table in (("outbox", tables.outbox), ("dead", tables.dead)):
            rows[name] = list(
                connection.execute(select(table.c.payload).order_by(table.c.id)).scalars()
            )
    return rows


def test_erasure_blanks_names_and_emails_and_keeps_every_count(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    tag = secrets.token_hex(4)
    program = program_code()
    facilitator = add_facilitator(program, f"Faye Erasable {tag}")
    state = publish(offering_state(program=program, capacity=1))
    educator = new_educator(name=f"Erin{tag}")
    other = new_educator(name=f"Otto{tag}")
    register(client, educator, state.id, "first")
    register(client, other, state.id, "second")  # waitlisted behind the full cohort
    park_event_naming({k: educator[k] for k in ("id", "name", "email")})
    engine = runtime.engine()
    needles = [educator["name"], educator["email"], facilitator["name"], facilitator["email"]]
    assert len(places_holding(engine, needles)) >= 4  # the check finds what is there
    counts_before = row_counts(engine)
    roster_before = roster_counts(client, admin_headers, state.id)
    assert roster_before == ([("open", 1, 1)], 1)

    envelope, applied = erase(educator["id"])
    assert applied and erase(facilitator["id"])[1]

    assert places_holding(engine, needles) == []
    assert places_holding(engine, [other["name"], other["email"]]) != []
    counts_after = row_counts(engine)
    assert counts_after.pop("processed_events") == counts_before.pop("processed_events") + 2
    assert counts_after == counts_before
    assert roster_counts(client, admin_headers, state.id) == roster_before
    profile = snapshot()["educator"]
    assert [(r[1], r[2], r[3]) for r in profile if r[0] == educator["id"]] == [
        ("Erased person", f"erased-{educator['id']}@invalid", f"erased-{educator['id']}@invalid")
    ]

    erased = snapshot()
    assert erase(educator["id"], envelope) == (envelope, False)  # the same delivery again
    assert erase(educator["id"])[1] and erase(facilitator["id"])[1]  # or a new one
    assert snapshot() == erased
