"""The notifier worker's CPU per `registration.confirmed` event: consuming it, then sending.

    .venv/bin/python -m bench.notifier_cost [--events 300]

Fresh PostgreSQL database and a private Redis DB (as the tests use them); an aiosmtpd sink in a
child process, so its CPU is not counted here. Each event (one meeting, so one invite and two
reminder rows) goes through the notifier's real consume task, called in this process; then each
`mail` task the consume left on the queue is taken off Redis and its plain function run here, as
a worker would. CPU is `time.process_time` (every thread of this process, the recorder's too);
the Celery worker's own cost of receiving and acknowledging a task is not in these figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from typing import Any

from tests.support.infra import create_database, drop_database, private_redis_db

WARMUP = 20
MAIL_QUEUE = "mail"


def _sink_main(conduit: Connection) -> None:
    from tests.support.smtp import SmtpSink

    with SmtpSink() as sink:
        conduit.send(sink.port)
        while conduit.recv() == "count":
            conduit.send(len(sink.messages))


@contextmanager
def sink_process() -> Iterator[tuple[int, Connection]]:
    """An SMTP sink in a child process: yields its port and a pipe answering "count"."""
    here, there = Pipe()
    child = Process(target=_sink_main, args=(there,), daemon=True)
    child.start()
    try:
        yield int(here.recv()), here
    finally:
        here.send("stop")
        child.join(10)


def sink_count(conduit: Connection) -> int:
    """How many messages the sink accepted so far."""
    conduit.send("count")
    return int(conduit.recv())


@contextmanager
def environment() -> Iterator[Connection]:
    """Database, Redis DB and sink for one run; settings point at them."""
    name = f"cohort_bench_notifier_{os.getpid()}_{secrets.token_hex(3)}"
    with ExitStack() as stack:
        url = create_database(name)
        stack.callback(drop_database, name)
        redis_url = stack.enter_context(private_redis_db())
        port, conduit = stack.enter_context(sink_process())
        os.environ.update(
            {
                "COHORT_ENV": "test",
                "NOTIFIER_DATABASE_URL": url,
                "COHORT_REDIS_URL": redis_url,
                "COHORT_SMTP_PORT": str(port),
                "COHORT_LOG_JSON": "true",
            }
        )
        from services.notifier.database import runtime

        runtime.migrate()
        stack.callback(runtime.engine().dispose)
        yield conduit


def envelopes(count: int) -> list[dict[str, Any]]:
    """`registration.confirmed` payloads, each a new educator in a one-meeting cohort."""
    from shared.events import RegistrationConfirmed, wrap
    from tests.support.notifier import cohort, new_id, person, weekly_meetings

    made = []
    for _ in range(count):
        event = RegistrationConfirmed(
            registration_id=new_id(), educator=person(), cohort=cohort(weekly_meetings(1))
        )
        made.append(wrap(event, producer="scheduler").model_dump(mode="json"))
    return made


def queued_mail_tasks() -> list[list[int]]:
    """Take every `mail` task off the queue; return each task's row ids."""
    from shared.broker import redis_for
    from shared.settings import get_settings

    client = redis_for(get_settings().cohort_redis_url)
    tasks = []
    while (raw := client.rpop(MAIL_QUEUE)) is not None:
        assert isinstance(raw, bytes)
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        tasks.append([int(i) for i in args[0]])
    return tasks


@dataclass
class Costs:
    """CPU seconds spent so far, and on how many events."""

    consume: float = 0.0
    send: float = 0.0
    events: int = 0
    mail_tasks: int = 0


def run(payloads: list[dict[str, Any]], costs: Costs) -> None:
    """Consume each payload, then run the `mail` tasks it queued, timing both."""
    from services.notifier.database import runtime
    from services.notifier.delivery.sending import send_deliveries
    from services.notifier.tasks import consume_event

    engine = runtime.engine()
    for payload in payloads:
        started = time.process_time()
        outcome = consume_event(payload)
        costs.consume += time.process_time() - started
        assert outcome == "applied", outcome
        for ids in queued_mail_tasks():
            started = time.process_time()
            send_deliveries(engine, ids)
            costs.send += time.process_time() - started
            costs.mail_tasks += 1
        costs.events += 1


def wait_for(conduit: Connection, count: int, timeout: float = 60) -> int:
    """Wait until the sink holds `count` messages (or the timeout); return how many it holds."""
    deadline = time.monotonic() + timeout
    while (seen := sink_count(conduit)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def ledger_summary() -> str:
    """Delivery rows by status and reminder rows by status, as stored."""
    from sqlalchemy import Table, func, select

    from services.notifier.database import runtime
    from services.notifier.models import Delivery, Reminder

    parts = []
    tables: list[Table] = [Delivery.__table__, Reminder.__table__]  # type: ignore[attr-defined]
    with runtime.engine().connect() as connection:
        for table in tables:
            query = select(table.c.status, func.count()).group_by(table.c.status)
            counts = {status: count for status, count in connection.execute(query)}
            parts.append(f"{table.name}: {counts}")
    return "; ".join(parts)


def main() -> None:
    """Run the bench and print CPU ms per event."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    with environment() as conduit:
        run(envelopes(WARMUP), Costs())
        costs = Costs()
        run(envelopes(args.events), costs)
        arrived = wait_for(conduit, WARMUP + args.events) - WARMUP
        summary = ledger_summary()
    per_event = 1000 / max(costs.events, 1)
    consume_ms, send_ms = costs.consume * per_event, costs.send * per_event
    print(f"events: {costs.events}, mail tasks: {costs.mail_tasks}, at the sink: {arrived}")
    print(summary)
    print(f"consume CPU ms/event: {consume_ms:.2f}")
    print(f"send CPU ms/event:    {send_ms:.2f}")
    print(f"total CPU ms/event:   {consume_ms + send_ms:.2f}")
    if arrived != costs.events:
        raise SystemExit(f"expected {costs.events} messages at the sink, got {arrived}")


if __name__ == "__main__":
    main()
