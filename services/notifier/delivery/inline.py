"""Sending from the consume task, in one place: the messages an event queues are written already
claimed by that task (lease, attempt) and sent by it right after its transaction commits, over the
process's pooled SMTP connection, instead of through a second task on the `mail` queue.

How: the consume task opens `sending_inline(...)`, which hands the event's session to a fresh
claim (`take`); handlers queue every message through `queue_messages` here, which writes the
rows `sending` under that claim's lease. Only once the session's transaction really commits are the
rows handed over to the claim (`shared.db.after_commit_batch`: a savepoint's release is no
commit, a rollback forgets them); when the event is done the task sends them (`send_taken`).

A task that dies before recording them leaves them `sending`; their lease runs out (or its worker,
restarted under its node name, frees them at once: claims.take_back) and the sweep sends them
again, exactly as for a `mail` task that dies. Not taken (so left to the `mail` queue,
enqueued after commit as before): rows beyond a small number per event, every row while sending
inline is paused (after a send that was slow, failed or hit an unreachable server), and every
row in a worker that does not serve the `mail` queue, so a slow SMTP server never holds events
back where the two queues have their own workers.
"""

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifier.delivery import ledger, mailer, recorder, sending
from services.notifier.delivery.claims import Claim, ClaimedRow, new_token
from services.notifier.models import Delivery
from services.notifier.rendering.outgoing import Outgoing
from shared.columns import utcnow
from shared.db import after_commit_batch
from shared.logs import correlation_id
from shared.settings import get_settings

log = logging.getLogger(__name__)

# An event queuing more messages than this (a cohort-wide change) leaves them to the mail queue,
# whose tasks spread them over the worker's processes.
INLINE_LIMIT = 10
# A send slower than this, or one that could not deliver everything, pauses inline sending.
SLOW_SECONDS = 1.0
PAUSE_SECONDS = 60.0

_CLAIM = "notifier_inline_claim"  # session.info: the claim that takes the session's messages
_TAKEN = "notifier_inline_taken"  # after-commit batch: rows handed to that claim on commit

_paused_until = [0.0]


@dataclass(frozen=True)
class TakenRow:
    """A row written already under a sender's claim, with what that sender needs to send it."""

    id: int
    outgoing: Outgoing
    correlation_id: str | None


@dataclass
class SenderClaim:
    """Rows a sender takes as they are queued: written `sending` under its claim token and a
    lease (a claim, counted as an attempt) instead of `queued`, so no other sender touches them.
    `taken` fills once the transaction that wrote them commits."""

    token: str
    lease_until: datetime
    limit: int
    taken: list[TakenRow] = field(default_factory=list)

    @property
    def lease(self) -> ledger.Lease:
        """The claim as the ledger writes it on the rows."""
        return ledger.Lease(self.token, self.lease_until)


def pause() -> None:
    """Leave new messages to the `mail` queue for a while."""
    _paused_until[0] = time.monotonic() + PAUSE_SECONDS


def paused() -> bool:
    """Tell whether inline sending is paused in this process."""
    return time.monotonic() < _paused_until[0]


@contextmanager
def sending_inline(
    engine: Engine, *, enabled: bool = True
) -> Iterator[Callable[[Session], None] | None]:
    """A claim for the messages of the event handled inside the block, sent once it is done.

    Yields the hook that hands the event's session to the claim (`take`), or None when this
    worker does not send inline (not `enabled`, or paused): then every row goes to `mail`.
    """
    if not enabled or paused():
        yield None
        return
    lease = utcnow() + timedelta(seconds=get_settings().cohort_mail_lease_seconds)
    claim = SenderClaim(token=new_token(), lease_until=lease, limit=INLINE_LIMIT)
    try:
        yield lambda session: take(session, claim)
    finally:
        if claim.taken:
            send_taken(engine, claim)


def take(session: Session, claim: SenderClaim) -> None:
    """Let `claim` take the messages queued in this session (through `queue_messages`)."""
    session.info[_CLAIM] = claim


def queue_messages(session: Session, outgoing: Sequence[Outgoing]) -> list[ledger.Queued]:
    """Queue messages in the ledger; in a session a claim took (the consume task's), the claim
    takes them too, a bounded number, handed over once the transaction commits."""
    claim = _claim_for(session, len(outgoing))
    queued = ledger.queue_messages(session, outgoing, lease=claim.lease if claim else None)
    if claim is not None:
        _handed_over(session, claim).extend(
            TakenRow(row.id, row.outgoing, correlation_id.get())
            for row in queued
            if row.status == Delivery.SENDING
        )
    return queued


def _handed_over(session: Session, claim: SenderClaim) -> list[TakenRow]:
    """The rows `claim` took in this transaction; they join `claim.taken` on its commit."""
    return after_commit_batch(session, f"{_TAKEN}:{claim.token}", claim.taken.extend)


def _claim_for(session: Session, count: int) -> SenderClaim | None:
    """The session's claim, if it takes `count` more rows (it takes a bounded number)."""
    claim: SenderClaim | None = session.info.get(_CLAIM)
    if claim is None:
        return None
    held = len(claim.taken) + len(_handed_over(session, claim))
    return claim if held + count <= claim.limit else None


def send_taken(engine: Engine, claim: SenderClaim) -> sending.BatchReport:
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
    report = sending.BatchReport(rows=[row.id for row in rows])
    started = time.monotonic()
    sent = recorder.sent_recorder(engine)
    try:
        with engine.connect() as connection:
            sending.send_claimed(
                connection, Claim(claim.token, rows), mailer.pooled_mailer(), report, sent
            )
    except Exception:
        # Whatever is not recorded stays `sending` until its lease runs out, then is sent again.
        log.exception("sending queued messages failed")
        pause()
    finally:
        sent.flush()
    if report.retrying or time.monotonic() - started > SLOW_SECONDS:
        pause()
    return report
