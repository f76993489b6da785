"""The event bus against real PostgreSQL, Redis and a real Celery worker process."""

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine, Row
from sqlmodel import Session

from shared.bus import Publisher
from shared.confirmations import drain_confirmations
from shared.db import create_schema, engine_for
from shared.events import Envelope, OfferingPublished, wrap
from shared.outbox import Outbox
from shared.relay import relay_unsent
from shared.sent_marks import MARKER
from tests.integration import bus_app
from tests.support.factories import offering
from tests.support.infra import create_database, drop_database
from tests.support.processes import ROOT, Process, celery_worker

DB_NAME = f"cohort_bus_{os.getpid()}"
OUTAGE_FLAG = f"/tmp/cohort_bus_outage_{os.getpid()}"


@pytest.fixture(scope="module")
def bus_db() -> Iterator[str]:
    url = create_database(DB_NAME)
    os.environ["BUS_TEST_DATABASE_URL"] = url
    create_schema(engine_for(url), bus_app.metadata)
    yield url
    engine_for(url).dispose()
    drop_database(DB_NAME)


@pytest.fixture(scope="module")
def worker(
    bus_db: str, test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Process]:
    env = {**test_env, "BUS_TEST_DATABASE_URL": bus_db, "BUS_TEST_OUTAGE_FLAG": OUTAGE_FLAG}
    process = celery_worker(
        "bus",
        "tests.integration.bus_app:celery_app",
        bus_app.SERVICE,
        env,
        tmp_path_factory.mktemp("bus-logs"),
        concurrency=2,
    ).start()
    process.wait_for_log("ready", timeout=60)
    yield process
    process.stop()


def _redis() -> redis.Redis:
    return redis.Redis.from_url(os.environ["COHORT_REDIS_URL"])


def _queued_envelopes(queue: str) -> list[Envelope]:
    messages = [json.loads(raw) for raw in _redis().lrange(queue, 0, -1)]
    return [
        Envelope.model_validate(json.loads(base64.b64decode(m["body"]))[0][0]) for m in messages
    ]


def _applied(offering_id: int) -> int:
    with engine_for(os.environ["BUS_TEST_DATABASE_URL"]).connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(bus_app.applied)
                .where(bus_app.applied.c.offering_id == offering_id)
            ).scalar_one()
        )


def _wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_commit_sends_exactly_one_message_per_subscriber_queue(bus_db: str) -> None:
    queues = ("bus_sub_a", "bus_sub_b")
    outbox = Outbox(
        service="registry",
        tables=bus_app.tables,
        publisher=Publisher(subscriptions={"offering.published": queues}),
    )
    engine = engine_for(bus_db)
    with Session(engine) as session:
        envelope = outbox.record(session, OfferingPublished(offering=offering(101)))
        session.commit()

    for queue in queues:
        queued = _queued_envelopes(queue)
        assert [e.event_id for e in queued] == [envelope.event_id]
        assert queued[0].type == "offering.published"
        assert queued[0].data["offering"]["id"] == 101
    assert MARKER.flush()
    assert relay_unsent(outbox, engine, older_than=0) == 0  # already marked sent
    assert [len(_queued_envelopes(q)) for q in queues] == [1, 1]


def test_rolled_back_change_sends_nothing(bus_db: str) -> None:
    outbox = Outbox(
        service="registry",
        tables=bus_app.tables,
        publisher=Publisher(subscriptions={"offering.published": ("bus_sub_rollback",)}),
    )
    with Session(engine_for(bus_db)) as session:
        outbox.record(session, OfferingPublished(offering=offering(102)))
        session.rollback()
    assert _queued_envelopes("bus_sub_rollback") == []


def test_event_lost_between_commit_and_send_is_delivered_by_the_relay(
    bus_db: str, worker: Process
) -> None:
    script = "from tests.integration.bus_app import commit_then_die; commit_then_die(201)"
    env = {**os.environ, "BUS_TEST_DATABASE_URL": bus_db}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, timeout=60)
    assert result.returncode == -9  # killed after commit, before the send
    assert _applied(201) == 0

    assert relay_unsent(bus_app.outbox(), engine_for(bus_db), older_than=0) == 1
    _wait_until(lambda: _applied(201) == 1)


def test_same_event_delivered_twice_is_applied_once(worker: Process) -> None:
    envelope = wrap(OfferingPublished(offering=offering(301)), producer="test")
    publisher = Publisher(subscriptions=bus_app.SUBSCRIPTIONS)
    publisher.send(envelope)
    publisher.send(envelope)
    _wait_until(lambda: "'duplicate'" in worker.log())
    assert _applied(301) == 1


def test_failing_event_is_parked_as_dead_and_does_not_block_the_queue(
    bus_db: str, worker: Process
) -> None:
    publisher = Publisher(subscriptions=bus_app.SUBSCRIPTIONS)
    poison = wrap(
        OfferingPublished(offering=offering(401, title=bus_app.POISON_TITLE)), producer="test"
    )
    publisher.send(poison)
    publisher.send(wrap(OfferingPublished(offering=offering(402)), producer="test"))

    _wait_until(lambda: _applied(402) == 1, timeout=5)  # the good event is not stuck behind
    dead = bus_app.tables.dead

    def parked() -> Sequence[Row[Any]]:
        with engine_for(bus_db).connect() as conn:
            return conn.execute(select(dead).where(dead.c.event_id == str(poison.event_id))).all()

    _wait_until(lambda: len(parked()) == 1, timeout=30)
    row = parked()[0]
    assert row.attempts == 1  # a permanent failure is parked at once, not retried
    assert "never be applied" in row.error
    assert _applied(401) == 0
    time.sleep(1.5)
    assert len(parked()) == 1  # parked once, not retried further


class _LosesFirstSend(Publisher):
    """A broker that takes the first message and then loses it, as a Redis restart would."""

    lost = False

    def send(self, envelope: Envelope, services: Sequence[str] | None = None) -> None:
        if not self.lost:
            self.lost = True
            return
        super().send(envelope, services)


def _outbox_row(engine: Engine, event_id: str) -> Row[Any]:
    table = bus_app.tables.outbox
    with engine.connect() as conn:
        return conn.execute(select(table).where(table.c.event_id == event_id)).one()


def test_an_event_redis_lost_is_sent_again_until_its_consumer_confirms_it(
    bus_db: str, worker: Process
) -> None:
    engine = engine_for(bus_db)
    outbox = Outbox(
        service="bustest-losing",
        tables=bus_app.tables,
        publisher=_LosesFirstSend(subscriptions=bus_app.SUBSCRIPTIONS),
        confirm_after=0.3,
        resend_max=1.0,
    )
    with Session(engine) as session:
        envelope = outbox.record(session, OfferingPublished(offering=offering(501)))
        session.commit()
    assert MARKER.flush()
    event_id = str(envelope.event_id)
    assert _outbox_row(engine, event_id).awaiting == bus_app.SERVICE  # sent, not confirmed
    time.sleep(0.4)

    assert relay_unsent(outbox, engine, older_than=60) == 1  # overdue: sent again
    _wait_until(lambda: _applied(501) == 1)
    _wait_until(lambda: drain_confirmations(outbox, engine) == 1, timeout=10)

    row = _outbox_row(engine, event_id)
    assert (row.awaiting, row.confirmed_at is not None, row.attempts) == ("", True, 1)
    time.sleep(1.1)
    assert relay_unsent(outbox, engine, older_than=60) == 0  # confirmed: never sent again
    assert _applied(501) == 1


def test_resends_back_off_to_the_configured_ceiling() -> None:
    outbox = Outbox(
        service="x", tables=bus_app.tables, publisher=Publisher(), confirm_after=30, resend_max=600
    )
    assert [outbox.resend_delay(n) for n in (1, 2, 3, 5, 6, 20)] == [30, 60, 120, 480, 600, 600]


def _parked(bus_db: str, event_id: str) -> int:
    dead = bus_app.tables.dead
    with engine_for(bus_db).connect() as conn:
        query = select(func.count()).select_from(dead).where(dead.c.event_id == event_id)
        return int(conn.execute(query).scalar_one())


def test_a_database_outage_longer_than_the_old_retry_budget_parks_nothing(
    bus_db: str, worker: Process
) -> None:
    open(OUTAGE_FLAG, "w").close()
    try:
        flaky = wrap(
            OfferingPublished(offering=offering(601, title=bus_app.FLAKY_TITLE)), producer="test"
        )
        Publisher(subscriptions=bus_app.SUBSCRIPTIONS).send(flaky)
        # Four deliveries 0.5-4 s apart once parked an event within 7.5 s; wait past that.
        time.sleep(9)
        assert _parked(bus_db, str(flaky.event_id)) == 0
        assert _applied(601) == 0
        assert "passing reason" in worker.log()
    finally:
        os.unlink(OUTAGE_FLAG)
    _wait_until(lambda: _applied(601) == 1, timeout=40)  # the next retry is at most 16 s away
    assert _parked(bus_db, str(flaky.event_id)) == 0
