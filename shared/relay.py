"""The crash path of the outbox: a loop that sends events left unsent after their commit and
re-sends, with growing pauses, events a consumer has not confirmed processing."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from shared.confirmations import drain_confirmations
from shared.db import is_sqlite
from shared.events import Envelope
from shared.outbox import Outbox
from shared.retention import purge_bus
from shared.settings import get_settings

log = logging.getLogger(__name__)


def relay_unsent(outbox: Outbox, engine: Engine, *, older_than: float, batch: int = 200) -> int:
    """Send events unsent `older_than` seconds after their commit, and re-send those whose
    confirmation is overdue; return how many were sent."""
    table = outbox.tables.outbox
    now = datetime.now(UTC)
    unsent = select(table.c.id, table.c.payload, table.c.awaiting, table.c.attempts).where(
        table.c.sent_at.is_(None), table.c.created_at <= now - timedelta(seconds=older_than)
    )
    overdue = select(table.c.id, table.c.payload, table.c.awaiting, table.c.attempts).where(
        table.c.awaiting != "", table.c.sent_at.is_not(None), table.c.resend_at <= now
    )
    sent = 0
    for query in (unsent.order_by(table.c.id), overdue.order_by(table.c.resend_at)):
        query = query.limit(batch)
        if not is_sqlite(engine):
            # Several replicas may relay at once: each claims a disjoint set of rows.
            query = query.with_for_update(skip_locked=True)
        with engine.begin() as connection:
            sent += _send_rows(outbox, connection, connection.execute(query).all())
    return sent


def _send_rows(outbox: Outbox, connection: Connection, rows: Sequence[Any]) -> int:
    table = outbox.tables.outbox
    sent = 0
    for row_id, payload, awaiting, attempts in rows:
        services = [name for name in awaiting.split(",") if name]
        try:
            outbox.publisher.send(Envelope.model_validate_json(payload), services)
        except Exception as exc:
            connection.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(attempts=table.c.attempts + 1, last_error=repr(exc)[:500])
            )
            log.warning("relay could not reach the broker", extra={"error": repr(exc)[:200]})
            break
        now = datetime.now(UTC)
        pause = timedelta(seconds=outbox.resend_delay(attempts + 1))
        connection.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(
                sent_at=func.coalesce(table.c.sent_at, now),
                resend_at=now + pause,
                attempts=table.c.attempts + 1,
            )
        )
        sent += 1
    if sent:
        log.info("relay sent events again", extra={"count": sent})
    return sent


def outbox_unconfirmed(outbox: Outbox, engine: Engine) -> int:
    """Count events sent but not confirmed by every consumer past the confirmation delay."""
    table = outbox.tables.outbox
    cutoff = datetime.now(UTC) - timedelta(seconds=outbox.confirm_after)
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(table)
                .where(table.c.awaiting != "", table.c.sent_at <= cutoff)
            ).scalar_one()
        )


def outbox_backlog(outbox: Outbox, engine: Engine) -> int:
    """Count events not yet handed to the broker."""
    table = outbox.tables.outbox
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(table).where(table.c.sent_at.is_(None))
            ).scalar_one()
        )


class RelayLoop:
    """Drains confirmations and runs `relay_unsent` every few seconds on a daemon thread, and
    calls `purge` (the service's retention) once per `COHORT_RETENTION_SWEEP_SECONDS`."""

    def __init__(
        self,
        outbox: Outbox,
        engine: Engine,
        *,
        interval: float,
        older_than: float,
        purge: Callable[[], object] | None = None,
    ):
        self.outbox = outbox
        self.engine = engine
        self.interval = interval
        self.older_than = older_than
        self.purge = purge or (lambda: purge_bus(outbox.tables, engine))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> None:
        """Start relaying in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to stop and wait briefly for it."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        purged_at = 0.0
        while not self._stop.wait(self.interval):
            if time.monotonic() - purged_at >= get_settings().cohort_retention_sweep_seconds:
                purged_at = time.monotonic()
                try:
                    self.purge()
                except Exception:
                    log.exception("purging expired rows failed")
            try:
                while drain_confirmations(self.outbox, self.engine) > 0:
                    pass
                while relay_unsent(self.outbox, self.engine, older_than=self.older_than) > 0:
                    pass
            except Exception:
                log.exception("outbox relay pass failed")
