"""Where a registration's time goes on its way to the mailbox, read back from the databases.

Every hop leaves a timestamp: the registration row (scheduler), its outbox row's `sent_at`
(handed to Redis), the notifier's processed-event row (consumer started), the ledger row
(invite rendered and queued) and the sink's arrival time. Service timestamps are wall-clock,
the load generator's are monotonic: one offset, taken in this process, maps between them.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bench.openloop import percentile
from services.notifier.database import runtime as notifier_runtime
from services.notifier.models import Delivery
from services.scheduler.database import runtime as scheduler_runtime
from services.scheduler.models import Registration

STAGES = (
    ("request → registration row", "HTTP queueing, auth, offering lock, seat decision"),
    ("registration row → outbox sent", "rest of the transaction, commit, publish to Redis"),
    ("outbox sent → notifier consumer", "`notifier` queue wait in Redis, Celery pickup"),
    ("notifier consumer → ledger row", "dedupe insert, bookings, render invite + MIME"),
    ("ledger row → mailbox", "commit, SMTP from the same task (or `mail` queue, claim, SMTP)"),
)
WALL_MINUS_MONOTONIC = time.time() - time.monotonic()


@dataclass(frozen=True)
class Stage:
    """One hop's latency percentiles in ms."""

    name: str
    what: str
    p50: float
    p99: float


def _wall(monotonic: float) -> float:
    return monotonic + WALL_MINUS_MONOTONIC


def _seconds(value: datetime) -> float:
    return value.timestamp()


Timeline = list[float | None]
POINTS = (
    "scheduled",
    "registration row",
    "outbox sent",
    "notifier consumer",
    "ledger row",
    "mailbox",
)


def timelines(
    *,
    scheduler: Engine,
    notifier: Engine,
    scheduled: Mapping[str, float],
    arrived: Mapping[str, float],
) -> dict[str, Timeline]:
    """For each recipient: when its request was due and when it reached each hop (wall clock)."""
    outbox = scheduler_runtime.bus_tables.outbox
    processed = notifier_runtime.bus_tables.processed
    ledger = Delivery.__table__  # type: ignore[attr-defined]
    since = datetime.fromtimestamp(_wall(min(scheduled.values())) - 1).astimezone()
    with scheduler.connect() as connection:
        rows = connection.execute(
            select(outbox.c.event_id, outbox.c.payload, outbox.c.sent_at).where(
                outbox.c.type == "registration.confirmed", outbox.c.created_at >= since
            )
        ).all()
        created: dict[int, datetime] = dict(
            connection.execute(
                select(Registration.id, Registration.created_at).where(  # type: ignore[call-overload]
                    Registration.created_at >= since
                )
            ).all()
        )
    events: dict[str, tuple[str, int, datetime | None]] = {}
    for event_id, payload, sent_at in rows:
        data = json.loads(payload)["data"]
        email = str(data["educator"]["email"]).lower()
        if email in scheduled:
            events[email] = (str(event_id), int(data["registration_id"]), sent_at)
    with notifier.connect() as connection:
        started: dict[str, datetime] = dict(
            connection.execute(
                select(processed.c.event_id, processed.c.processed_at).where(
                    processed.c.processed_at >= since
                )
            ).all()
        )
        queued: dict[str, datetime] = dict(
            connection.execute(
                select(ledger.c.recipient, ledger.c.created_at).where(
                    ledger.c.created_at >= since, ledger.c.kind == "invite"
                )
            ).all()
        )
    found: dict[str, Timeline] = {}
    for email, due in scheduled.items():
        event_id, registration_id, sent_at = events.get(email, ("", 0, None))
        found[email] = [
            _wall(due),
            _seconds(created[registration_id]) if registration_id in created else None,
            _seconds(sent_at) if sent_at else None,
            _seconds(started[event_id]) if event_id in started else None,
            _seconds(queued[email]) if email in queued else None,
            _wall(arrived[email]) if email in arrived else None,
        ]
    return found


def breakdown(found: Mapping[str, Timeline]) -> list[Stage]:
    """Per-hop latency percentiles over the recipients' timelines."""
    spans: list[list[float]] = [[] for _ in STAGES]
    for points in found.values():
        for i in range(len(STAGES)):
            before, after = points[i], points[i + 1]
            if before is not None and after is not None:
                spans[i].append((after - before) * 1000)
    return [
        Stage(name, what, percentile(values, 50), percentile(values, 99))
        for (name, what), values in zip(STAGES, spans, strict=True)
    ]


def where_lost(found: Mapping[str, Timeline]) -> Counter[str]:
    """For messages that never arrived: the last hop each one reached, counted."""
    lost: Counter[str] = Counter()
    for points in found.values():
        if points[-1] is None:
            last = max(i for i, point in enumerate(points) if point is not None)
            lost[f"stopped after {POINTS[last]}"] += 1
    return lost
