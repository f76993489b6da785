"""The scheduler worker as a real Celery process: offering events over Redis, applied once."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from services.scheduler.database import runtime
from services.scheduler.models import Cohort, Offering
from shared import events
from shared.bus import Publisher
from shared.events import wrap
from tests.support.processes import Process
from tests.support.scheduler import (
    eventually,
    new_educator,
    new_facilitator,
    offering_state,
)


def _outcomes(worker: Process, event_id: str) -> list[str]:
    """What the worker's "event consumed" log lines say of one event."""
    lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    return [
        line["outcome"]
        for line in lines
        if line.get("msg") == "event consumed" and line.get("event_id") == event_id
    ]


def _cohorts(offering_id: int) -> int:
    with Session(runtime.engine()) as session:
        query = select(func.count()).select_from(Cohort).where(Cohort.offering_id == offering_id)  # type: ignore[arg-type]
        return int(session.execute(query).scalar_one())


def test_published_offering_reaches_the_scheduler_once(
    worker: Process, client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state(updated_at=datetime(2027, 1, 1))
    new_facilitator(client, admin_headers, state.program_code)
    envelope = wrap(events.OfferingPublished(offering=state), producer="registry")
    publisher = Publisher()
    publisher.send(envelope)
    publisher.send(envelope)  # a redelivered duplicate

    def stored() -> Offering | None:
        with Session(runtime.engine()) as session:
            return session.get(Offering, state.id)

    offering = eventually(stored)
    assert offering.title == state.title and offering.status == "published"
    # The queue may still hold other tests' events: wait for this event's two outcomes.
    eventually(lambda: len(_outcomes(worker, str(envelope.event_id))) >= 2)
    assert sorted(_outcomes(worker, str(envelope.event_id))) == ["applied", "duplicate"]
    assert _cohorts(state.id) == 1
    educator = new_educator(client)
    answer = client.post(
        "/registrations", json={"offering_id": state.id}, headers=educator["headers"]
    )
    assert answer.status_code == 201 and answer.json()["status"] == "confirmed"
    # The facilitator.assigned the worker recorded left through the outbox at once.
    table = runtime.bus_tables.outbox
    with runtime.engine().connect() as connection:
        unsent = connection.execute(
            select(func.count())
            .select_from(table)
            .where(table.c.type == "facilitator.assigned", table.c.sent_at.is_(None))
        ).scalar_one()
    assert unsent == 0 or eventually(lambda: _all_sent(table))


def _all_sent(table: Any) -> bool:
    with runtime.engine().connect() as connection:
        return not connection.execute(
            select(func.count()).select_from(table).where(table.c.sent_at.is_(None))
        ).scalar_one()


def test_worker_log_is_clean(worker: Process) -> Path | None:
    assert "Traceback" not in worker.log()
    return None
