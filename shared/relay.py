"""The crash path of the outbox: a loop that re-sends events left unsent after their commit."""

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine, Row

from shared.db import is_sqlite
from shared.events import Envelope
from shared.outbox import Outbox

log = logging.getLogger(__name__)


def relay_unsent(outbox: Outbox, engine: Engine, *, older_than: float, batch: int = 200) -> int:
    """Send events still unsent `older_than` seconds after their commit; return how many."""
    table = outbox.tables.outbox
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    query = (
        select(table.c.id, table.c.payload)
        .where(table.c.sent_at.is_(None), table.c.created_at <= cutoff)
        .order_by(table.c.id)
        .limit(batch)
    )
    if not is_sqlite(engine):
        # Several replicas may relay at once: each claims a disjoint set of rows.
        query = query.with_for_update(skip_locked=True)
    with engine.begin() as connection:
        rows = connection.execute(query).all()
        return _send_rows(outbox, connection, rows)


def _send_rows(outbox: Outbox, connection: Connection, rows: Sequence[Row[Any, Any]]) -> int:
    table = outbox.tables.outbox
    sent = 0
    for row_id, payload in rows:
        try:
            outbox.publisher.send(Envelope.model_validate_json(payload))
        except Exception as exc:
            connection.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(attempts=table.c.attempts + 1, last_error=repr(exc)[:500])
            )
            log.warning("relay could not reach the broker", extra={"error": repr(exc)[:200]})
            break
        connection.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(sent_at=datetime.now(UTC), attempts=table.c.attempts + 1)
        )
        sent += 1
    if sent:
        log.info("relay re-sent events", extra={"count": sent})
    return sent


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
    """Runs `relay_unsent` every few seconds on a daemon thread until stopped."""

    def __init__(self, outbox: Outbox, engine: Engine, *, interval: float, older_than: float):
        self.outbox = outbox
        self.engine = engine
        self.interval = interval
        self.older_than = older_than
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
        while not self._stop.wait(self.interval):
            try:
                while relay_unsent(self.outbox, self.engine, older_than=self.older_than) > 0:
                    pass
            except Exception:
                log.exception("outbox relay pass failed")
