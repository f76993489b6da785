"""Sending from the consume task: the messages an event queues are written already claimed by
that task (lease, attempt) and sent by it right after its transaction commits, over the
process's pooled SMTP connection, instead of through a second task on the `mail` queue.

A task that dies before recording them leaves them `sending`; their lease runs out and the sweep
sends them again, exactly as for a `mail` task that dies. Not taken (so left to the `mail` queue,
enqueued after commit as before): rows beyond a small number per event, every row while sending
inline is paused (after a send that was slow, failed or hit an unreachable server), and every
row in a worker that does not serve the `mail` queue, so a slow SMTP server never holds events
back where the two queues have their own workers.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.engine import Engine

from services.notifier.claims import Claim, ClaimedRow
from services.notifier.ledger import SenderClaim, taking_sender
from services.notifier.mailer import pooled_mailer
from services.notifier.models import utcnow
from services.notifier.recorder import sent_recorder
from services.notifier.sending import BatchReport, send_claimed
from shared.settings import get_settings

log = logging.getLogger(__name__)

# An event queuing more messages than this (a cohort-wide change) leaves them to the mail queue,
# whose tasks spread them over the worker's processes.
INLINE_LIMIT = 10
# A send slower than this, or one that could not deliver everything, pauses inline sending.
SLOW_SECONDS = 1.0
PAUSE_SECONDS = 60.0

_paused_until = [0.0]


def pause() -> None:
    """Leave new messages to the `mail` queue for a while."""
    _paused_until[0] = time.monotonic() + PAUSE_SECONDS


def paused() -> bool:
    """Tell whether inline sending is paused in this process."""
    return time.monotonic() < _paused_until[0]


@contextmanager
def sending_inline(engine: Engine, *, enabled: bool = True) -> Iterator[None]:
    """Take the rows queued inside the block (bounded) and send them once the block is done."""
    if not enabled or paused():
        yield
        return
    lease = utcnow() + timedelta(seconds=get_settings().cohort_mail_lease_seconds)
    claim = SenderClaim(token=str(uuid.uuid4()), lease_until=lease, limit=INLINE_LIMIT)
    reset = taking_sender.set(claim)
    try:
        yield
    finally:
        taking_sender.reset(reset)
        if claim.taken:
            send_taken(engine, claim)


def send_taken(engine: Engine, claim: SenderClaim) -> BatchReport:
    """Send the committed rows `claim` took, record how it went; pause on trouble."""
    rows = [
        ClaimedRow(
            id=row.id,
            recipient=row.outgoing.recipient.strip().lower(),
            kind=row.outgoing.kind,
            uid=row.outgoing.uid,
            sequence=row.outgoing.sequence,
            attempts=1,
            correlation_id=row.correlation_id,
            message=row.outgoing.message,
        )
        for row in sorted(claim.taken, key=lambda taken: taken.id)
    ]
    report = BatchReport(rows=[row.id for row in rows])
    started = time.monotonic()
    recorder = sent_recorder(engine)
    try:
        with engine.connect() as connection:
            send_claimed(connection, Claim(claim.token, rows), pooled_mailer(), report, recorder)
    except Exception:
        # Whatever is not recorded stays `sending` until its lease runs out, then is sent again.
        log.exception("sending queued messages failed")
        pause()
    finally:
        recorder.flush()
    if report.retrying or time.monotonic() - started > SLOW_SECONDS:
        pause()
    return report
