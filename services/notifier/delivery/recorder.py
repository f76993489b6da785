"""Recording sent messages off the sending path: a thread per process marks rows `sent` on its
own database connection and writes their "mail sent" log lines, while the sender goes on talking
SMTP (the database round trips and log formatting overlap the network waits)."""

import logging
import os
import queue
import threading

from sqlalchemy.engine import Connection, Engine

from services.notifier.delivery.claims import ClaimedRow, record_sent
from shared.logs import correlation_id, mask_email

log = logging.getLogger("services.notifier.mail")

BATCH_LIMIT = 100


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
                connection = connection or self.engine.connect()
                record_sent(
                    connection, [(token, [row.id for row in rows]) for token, rows in batch]
                )
            except Exception:
                # The rows stay `sending`; when their lease runs out they are sent again.
                log.exception("could not record sent deliveries")
                if connection is not None:
                    connection.invalidate()
                    connection = None
            finally:
                for _, rows in batch:
                    for row in rows:
                        log_sent(row)
                    self.pending.task_done()

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
