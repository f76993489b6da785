"""The delivery ledger: one row per outgoing message, unique per recipient/meeting/kind/sequence.

Rows move queued → sending → sent | failed. A row is written in the same transaction as the
change that caused it; the send task is enqueued only after that transaction commits. A consume
task may take its event's rows as it writes them (`taking_sender`, see inline.py): they are
written `sending` under its claim and lease and sent by that task after the commit.

Stale rule: a row in `sending` holds a lease (`lease_until`, COHORT_MAIL_LEASE_SECONDS from the
claim, renewed while its batch is being sent). A lease that ran out means the sender died, so the
row may be claimed again (the sweep re-enqueues it). A claim counts as an attempt, so a message
whose sender keeps dying is failed by the sweep after COHORT_MAIL_MAX_ATTEMPTS.
"""

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from services.notifier.models import Delivery, utcnow
from shared.celery_app import publisher_app
from shared.db import is_sqlite
from shared.logs import correlation_id
from shared.settings import get_settings

log = logging.getLogger(__name__)

SEND_TASK = "notifier.send_delivery"
MAIL_QUEUE = "mail"
_PENDING = "notifier_pending_deliveries"
_TAKEN = "notifier_taken_deliveries"
SWEEP_LIMIT = 5000
LOST_SENDER = "the sender stopped while sending (lease ran out)"

delivery = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outgoing:
    """A rendered message ready to enter the ledger."""

    recipient: str
    kind: str
    message: bytes = b""
    meeting_id: int = 0
    sequence: int = 0
    variant: str = ""
    method: str | None = None
    uid: str | None = None
    # Set when the message could not be composed: it enters the ledger failed, never sent.
    error: str | None = None


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


taking_sender: ContextVar[SenderClaim | None] = ContextVar("notifier_taking_sender", default=None)


def _key(recipient: str, meeting_id: int, kind: str, sequence: int, variant: str) -> tuple:
    return (recipient, meeting_id, kind, sequence, variant)


def _row(outgoing: Outgoing, now: datetime, claim: SenderClaim | None) -> dict[str, Any]:
    status = "failed" if outgoing.error else "queued"
    taken = claim is not None and status == "queued"
    return {
        "recipient": outgoing.recipient.strip().lower(),
        "meeting_id": outgoing.meeting_id,
        "kind": outgoing.kind,
        "sequence": outgoing.sequence,
        "variant": outgoing.variant,
        "method": outgoing.method,
        "uid": outgoing.uid,
        "status": "sending" if taken else status,
        "error": outgoing.error,
        "attempts": 1 if taken else 0,
        "claim": claim.token if taken and claim else None,
        "lease_until": claim.lease_until if taken and claim else None,
        "next_attempt_at": now,
        "dispatched_at": now,
        "correlation_id": correlation_id.get(),
        "created_at": now,
        "message": outgoing.message,
    }


_RETURNED = (
    delivery.c.id,
    delivery.c.status,
    delivery.c.recipient,
    delivery.c.meeting_id,
    delivery.c.kind,
    delivery.c.sequence,
    delivery.c.variant,
)
_QUEUE = {
    "postgresql": pg_insert(delivery).on_conflict_do_nothing().returning(*_RETURNED),
    "sqlite": sqlite_insert(delivery).on_conflict_do_nothing().returning(*_RETURNED),
}


def _claim_for(session: Session, outgoing: Sequence[Outgoing]) -> SenderClaim | None:
    """The taking sender's claim, if it takes these rows too (it takes a bounded number)."""
    claim = taking_sender.get()
    if claim is None:
        return None
    held = len(claim.taken) + len(session.info.get(_TAKEN, ()))
    return claim if held + len(outgoing) <= claim.limit else None


def queue_messages(session: Session, outgoing: Sequence[Outgoing]) -> list[int]:
    """Add messages to the ledger in the session's transaction (one statement); a message whose
    key is already there is left out. Returns the ids of the new rows."""
    if not outgoing:
        return []
    now = utcnow()
    claim = _claim_for(session, outgoing)
    statement = _QUEUE[session.get_bind().dialect.name]
    rows = session.execute(statement, [_row(item, now, claim) for item in outgoing]).all()
    by_key = {
        _key(o.recipient.strip().lower(), o.meeting_id, o.kind, o.sequence, o.variant): o
        for o in outgoing
    }
    pending = session.info.setdefault(_PENDING, [])
    for row_id, status, *key in rows:
        if status == "queued":
            pending.append(row_id)
        elif status == "sending" and claim is not None:
            taken = TakenRow(int(row_id), by_key[_key(*key)], correlation_id.get())
            session.info.setdefault(_TAKEN, []).append((claim, taken))
    return [int(row[0]) for row in rows]


def queue_message(session: Session, outgoing: Outgoing) -> int | None:
    """Add one message to the ledger in the session's transaction; None when its key exists."""
    ids = queue_messages(session, [outgoing])
    return ids[0] if ids else None


def queue_again(session: Session, row: Delivery) -> None:
    """Send a failed row again from scratch (an operator's decision); enqueued after commit."""
    now = utcnow()
    row.status, row.attempts, row.error = "queued", 0, None
    row.next_attempt_at, row.dispatched_at = now, now
    session.add(row)
    session.flush()
    assert row.id is not None
    session.info.setdefault(_PENDING, []).append(row.id)


@lru_cache(maxsize=1)
def _sender_app() -> Celery:
    return publisher_app()


def dispatch(ids: Sequence[int]) -> None:
    """Enqueue send tasks for these rows, a batch per task; the sweep covers a failed enqueue."""
    size = max(1, get_settings().cohort_mail_batch_size)
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        try:
            _sender_app().send_task(SEND_TASK, args=[chunk], queue=MAIL_QUEUE)
        except Exception as exc:
            log.warning("could not enqueue deliveries; the sweep will", extra={"error": repr(exc)})
            return


def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # Releasing a SAVEPOINT fires after_commit too; the rows wait for the real commit.
        return
    ids: list[int] = session.info.pop(_PENDING, [])
    if ids:
        dispatch(ids)
    for claim, row in session.info.pop(_TAKEN, []):
        claim.taken.append(row)


def _drop_pending(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_TAKEN, None)


event.listen(Session, "after_commit", _dispatch_after_commit)
event.listen(Session, "after_soft_rollback", _drop_pending)


def claimable(now: Any) -> Any:
    """Rows a sender may take now: queued and due, or sending under a lease that ran out."""
    queued = and_(delivery.c.status == "queued", delivery.c.next_attempt_at <= now)
    stale = and_(delivery.c.status == "sending", delivery.c.lease_until < now)
    return or_(queued, stale)


def fail_abandoned(connection: Connection) -> int:
    """Fail rows whose sender died while sending them COHORT_MAIL_MAX_ATTEMPTS times."""
    now = utcnow()
    with connection.begin():
        result = connection.execute(
            update(delivery)
            .where(
                delivery.c.status == "sending",
                delivery.c.lease_until < now,
                delivery.c.attempts >= get_settings().cohort_mail_max_attempts,
            )
            .values(status="failed", error=LOST_SENDER, claim=None, lease_until=None)
        )
    if result.rowcount:
        log.warning("deliveries failed for good", extra={"count": result.rowcount})
    return int(result.rowcount)


def retry_deliveries(engine: Engine) -> int:
    """Re-enqueue rows due again (backoff over, or a sender's lease ran out); return how many."""
    settings = get_settings()
    now = utcnow()
    recently = now - timedelta(seconds=settings.cohort_mail_redispatch_after)
    query = (
        select(delivery.c.id)
        .where(
            claimable(now),
            or_(delivery.c.dispatched_at.is_(None), delivery.c.dispatched_at < recently),
        )
        .order_by(delivery.c.id)
        .limit(SWEEP_LIMIT)
    )
    if not is_sqlite(engine):
        query = query.with_for_update(skip_locked=True)
    with engine.connect() as connection:
        fail_abandoned(connection)
    with engine.begin() as connection:
        ids = [int(row_id) for row_id in connection.execute(query).scalars()]
        if ids:
            connection.execute(
                update(delivery).where(delivery.c.id.in_(ids)).values(dispatched_at=now)
            )
    if ids:
        log.info("deliveries re-enqueued", extra={"count": len(ids)})
        dispatch(ids)
    return len(ids)
