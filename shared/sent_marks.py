"""Marks outbox rows as sent from one background thread, many rows per UPDATE.

Marking each event in the request that committed it costs a pooled connection and a transaction per
request; a late or lost mark only lets the relay send the event again, which consumers dedupe.
"""

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, func, update
from sqlalchemy.engine import Engine

from shared.db import is_sqlite

log = logging.getLogger(__name__)

_Batch = tuple[Table, Engine, float, dict[str, datetime]]

# How long the marker lets ids gather before one UPDATE marks them all. Marks only spare the
# relay (which waits seconds before re-sending), so a short delay costs nothing and turns one
# transaction per event into one per batch under load.
LINGER_SECONDS = 0.1


class SentMarker:
    """Collects event ids per outbox table and marks them sent in batches on a daemon thread."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, int, float], _Batch] = {}
        self._changed = threading.Condition()
        self._busy = False
        self._pid: int | None = None

    def add(
        self, table: Table, engine: Engine, event_ids: Sequence[str], *, resend_after: float
    ) -> None:
        """Queue ids to be marked sent soon (sent now, to be re-sent unless confirmed in time)."""
        if not event_ids:
            return
        now = datetime.now(UTC)
        with self._changed:
            self._start_once_per_process()
            waking = not self._pending  # the thread only waits for the first id of a batch
            key = (id(table), id(engine), resend_after)
            entry = self._pending.setdefault(key, (table, engine, resend_after, {}))
            entry[3].update(dict.fromkeys(event_ids, now))
            if waking:
                self._changed.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued id is marked; False if that took longer than `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _start_once_per_process(self) -> None:
        # Worker processes fork after import: each process needs its own thread.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._pending.clear()
            threading.Thread(target=self._run, name="outbox-sent-marker", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending))
            time.sleep(LINGER_SECONDS)
            with self._changed:
                batch, self._pending, self._busy = self._pending, {}, True
            try:
                for table, engine, resend_after, sent in batch.values():
                    mark_sent(table, engine, sent, resend_after=resend_after)
            except Exception:
                log.warning("could not mark events sent; the relay will send them again")
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()


def mark_sent(
    table: Table, engine: Engine, sent: Mapping[str, datetime], *, resend_after: float = 30.0
) -> None:
    """Record when these events (by id) reached the broker, and when to send them again."""
    later = timedelta(seconds=resend_after)
    times = set(sent.values())
    if len(times) == 1:
        sent_at: Any = times.pop()
        resend_at: Any = sent_at + later
    else:
        sent_at = case(sent, value=table.c.event_id, else_=func.now())
        resend = {event_id: at + later for event_id, at in sent.items()}
        resend_at = case(resend, value=table.c.event_id, else_=func.now())
    with engine.begin() as connection:
        if not is_sqlite(engine):
            # A mark lost in a crash only makes the relay send the event again: no need to wait
            # for the WAL flush.
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        connection.execute(
            update(table)
            .where(table.c.event_id.in_(list(sent)))
            .values(sent_at=sent_at, resend_at=resend_at)
        )


MARKER = SentMarker()
