"""Recording sent messages off the sending path: a thread per process marks rows `sent` on its
own database connection and writes their "mail sent" log lines, while the sender goes on talking
SMTP (the database round trips and log formatting overlap the network waits).

A record that fails for a passing reason (the database restarting, a connection it cut) is tried
again while the rows' lease lasts: a message already handed to SMTP is not sent a second time
just because the database was away when it went."""

import logging
import os
import queue
import threading
import time

from sqlalchemy.engine import Connection, Engine

from services.notifier.delivery.claims import ClaimedRow, record_sent
from shared.faults import is_transient
from shared.logs import correlation_id, mask_email
from shared.settings import get_settings

log = logging.getLogger("services.notifier.mail")

BATCH_LIMIT = 100
# Pauses between tries of a record that failed for a passing reason: 0.5 s doubling to 5 s.
RETRY_FIRST = 0.5
RETRY_MAX = 5.0


class SentRecorder:
    """Marks rows sent and logs them, in the order handed over; `flush` waits for it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pending: queue.Queue[tuple[str, list[ClaimedRow]]] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="sent-recorder", daemon=True)
        self.thread.start()

    def record(self, token: str, rows: list[ClaimedRow]) -> None:
        """Mark these rows (sent under claim `token`) sent, soon."""
        if rows:
            self.pending.put((token, rows))

    def flush(self) -> None:
        """Wait until everything handed over so far is recorded."""
        self.pending.join()

    def _run(self) -> None:
        connection: Connection | None = None
        while True:
            batch = self._take_waiting()
            try:
                connection = self._record(connection, batch)
            finally:
                for _, rows in batch:
                    for row in rows:
                        log_sent(row)
                    self.pending.task_done()

    def _record(
        self, connection: Connection | None, batch: list[tuple[str, list[ClaimedRow]]]
    ) -> Connection | None:
        """Mark the batch sent, retrying passing failures; the connection to use next time."""
        held = [(token, [row.id for row in rows]) for token, rows in batch]
        deadline = time.monotonic() + get_settings().cohort_mail_lease_seconds
        pause = RETRY_FIRST
        while True:
            try:
                connection = connection or self.engine.connect()
                record_sent(connection, held)
                return connection
            except Exception as exc:
                if connection is not None:
                    connection.invalidate()
                    connection = None
                if not is_transient(exc) or time.monotonic() + pause > deadline:
                    # The rows stay `sending`; when their lease runs out they are sent again.
                    log.exception("could not record sent deliveries")
                    return None
                log.warning(
                    "recording sent deliveries failed; will retry", extra={"error": repr(exc)[:200]}
                )
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)

    def _take_waiting(self) -> list[tuple[str, list[ClaimedRow]]]:
        """The next hand-over (waiting for one), with every other already waiting: one UPDATE."""
        batch = [self.pending.get()]
        while len(batch) < BATCH_LIMIT:
            try:
                batch.append(self.pending.get_nowait())
            except queue.Empty:
                break
        return batch


def log_sent(row: ClaimedRow) -> None:
    """The "mail sent" line: kind, UID and SEQUENCE, the address masked, the event's id."""
    token = correlation_id.set(row.correlation_id)
    try:
        log.info(
            "mail sent",
            extra={
                "delivery_id": row.id,
                "kind": row.kind,
                "uid": row.uid,
                "sequence": row.sequence,
                "recipient": mask_email(row.recipient),
                "attempt": row.attempts,
            },
        )
    finally:
        correlation_id.reset(token)


_recorders: dict[tuple[int, int], SentRecorder] = {}


def sent_recorder(engine: Engine) -> SentRecorder:
    """This process's recorder for `engine` (a forked child starts its own)."""
    key = (os.getpid(), id(engine))
    recorder = _recorders.get(key)
    if recorder is None:
        recorder = _recorders[key] = SentRecorder(engine)
    return recorder
