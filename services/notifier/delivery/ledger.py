"""The delivery ledger: one row per outgoing message, unique per recipient/meeting/kind/sequence.

Rows move queued → sending → sent | failed (`Delivery.QUEUED` ...). A row is written in the same
transaction as the change that caused it; its send task is enqueued only once that transaction
really commits (`shared.db.after_commit_batch`: a savepoint's release is no commit, a rollback
forgets the rows). A row may instead be written already held under a sender's `Lease` (the
consume task's, see inline.py): `sending`, under its claim, for that sender to send.

Stale rule: a row in `sending` holds a lease (`lease_until`, COHORT_MAIL_LEASE_SECONDS from the
claim, renewed while its batch is being sent). A lease that ran out means the sender died, so the
row may be claimed again (the sweep re-enqueues it); a worker restarting under its node name ends
the leases of its dead run at once (claims.take_back). A claim counts as an attempt, so a message
whose sender keeps dying is failed by the sweep after COHORT_MAIL_MAX_ATTEMPTS.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlmodel
from celery import Celery
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from services.notifier.database import runtime
from services.notifier.models import DeliveriesPublic, Delivery, DeliveryPublic
from services.notifier.rendering.outgoing import Outgoing
from shared.auth import Principal
from shared.celery_app import publisher_app
from shared.columns import utcnow
from shared.db import after_commit_batch, is_sqlite
from shared.errors import Conflict, NotFound
from shared.logs import correlation_id
from shared.settings import get_settings
from shared.validation import storable_id

log = logging.getLogger(__name__)

SEND_TASK = "notifier.send_delivery"
MAIL_QUEUE = "mail"
_DISPATCH = "notifier_dispatch_deliveries"  # the session's batch of rows to enqueue after commit
SWEEP_LIMIT = 5000
LOST_SENDER = "the sender stopped while sending (lease ran out)"

delivery = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Lease:
    """A sender's hold on the rows it writes: its claim token and when the lease runs out."""

    token: str
    until: datetime


@dataclass(frozen=True)
class Queued:
    """A new ledger row: its id, the status it was written with, and its message."""

    id: int
    status: str
    outgoing: Outgoing


def _key(recipient: str, meeting_id: int, kind: str, sequence: int, variant: str) -> tuple:
    return (recipient, meeting_id, kind, sequence, variant)


def _row(outgoing: Outgoing, now: datetime, lease: Lease | None) -> dict[str, Any]:
    status = Delivery.FAILED if outgoing.error else Delivery.QUEUED
    held = lease if status == Delivery.QUEUED else None
    return {
        "recipient": outgoing.recipient.strip().lower(),
        "meeting_id": outgoing.meeting_id,
        "kind": outgoing.kind,
        "sequence": outgoing.sequence,
        "variant": outgoing.variant,
        "method": outgoing.method,
        "uid": outgoing.uid,
        "status": Delivery.SENDING if held else status,
        "error": outgoing.error,
        "attempts": 1 if held else 0,
        "claim": held.token if held else None,
        "lease_until": held.until if held else None,
        "next_attempt_at": now,
        "dispatched_at": now,
        "correlation_id": correlation_id.get(),
        "created_at": now,
        "message": outgoing.message,
        "person_id": outgoing.person_id,
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


def queue_messages(
    session: Session, outgoing: Sequence[Outgoing], *, lease: Lease | None = None
) -> list[Queued]:
    """Add messages to the ledger in the session's transaction (one statement); a message whose
    key is already there is left out. Queued rows are enqueued once the transaction commits;
    under a `lease` they are written `sending` instead, for the leaseholder to send."""
    if not outgoing:
        return []
    now = utcnow()
    statement = _QUEUE[session.get_bind().dialect.name]
    rows = session.execute(statement, [_row(item, now, lease) for item in outgoing]).all()
    by_key = {
        _key(o.recipient.strip().lower(), o.meeting_id, o.kind, o.sequence, o.variant): o
        for o in outgoing
    }
    queued = [Queued(int(row_id), status, by_key[_key(*key)]) for row_id, status, *key in rows]
    _dispatch_after_commit(session, [row.id for row in queued if row.status == Delivery.QUEUED])
    return queued


def queue_message(session: Session, outgoing: Outgoing) -> int | None:
    """Add one message to the ledger in the session's transaction; None when its key exists."""
    queued = queue_messages(session, [outgoing])
    return queued[0].id if queued else None


def queue_again(session: Session, row: Delivery) -> None:
    """Send a failed row again from scratch (an operator's decision); enqueued after commit."""
    now = utcnow()
    row.status, row.attempts, row.error = Delivery.QUEUED, 0, None
    row.next_attempt_at, row.dispatched_at = now, now
    session.add(row)
    session.flush()
    assert row.id is not None
    _dispatch_after_commit(session, [row.id])


def _dispatch_after_commit(session: Session, ids: list[int]) -> None:
    if ids:
        after_commit_batch(session, _DISPATCH, dispatch).extend(ids)


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


def claimable(now: Any) -> Any:
    """Rows a sender may take now: queued and due, or sending under a lease that ran out."""
    queued = and_(delivery.c.status == Delivery.QUEUED, delivery.c.next_attempt_at <= now)
    stale = and_(delivery.c.status == Delivery.SENDING, delivery.c.lease_until < now)
    return or_(queued, stale)


def fail_abandoned(connection: Connection) -> int:
    """Fail rows whose sender died while sending them COHORT_MAIL_MAX_ATTEMPTS times."""
    now = utcnow()
    with connection.begin():
        result = connection.execute(
            update(delivery)
            .where(
                delivery.c.status == Delivery.SENDING,
                delivery.c.lease_until < now,
                delivery.c.attempts >= get_settings().cohort_mail_max_attempts,
            )
            .values(status=Delivery.FAILED, error=LOST_SENDER, claim=None, lease_until=None)
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


def list_deliveries(
    *,
    session: Session,
    recipient: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DeliveriesPublic:
    """A page of the ledger, newest first, filtered by recipient address, kind and status."""
    conditions = []
    if recipient:
        conditions.append(Delivery.recipient == recipient.strip().lower())
    if kind:
        conditions.append(Delivery.kind == kind)
    if status:
        conditions.append(Delivery.status == status)
    total = session.exec(
        sqlmodel.select(func.count()).select_from(Delivery).where(*conditions)
    ).one()
    rows = session.exec(
        sqlmodel.select(Delivery)
        .where(*conditions)
        .order_by(col(Delivery.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    items = [DeliveryPublic.model_validate(row, from_attributes=True) for row in rows]
    return DeliveriesPublic(items=items, total=int(total))


def retry_delivery(*, session: Session, delivery_id: int, principal: Principal) -> DeliveryPublic:
    """Put a failed message back in the queue with a fresh set of attempts."""
    known = storable_id(delivery_id)
    row = session.get(Delivery, delivery_id, with_for_update=True) if known else None
    if row is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if row.status != Delivery.FAILED:
        raise Conflict(f"delivery {delivery_id} is {row.status}; only failed ones are retried")
    if not row.message:
        raise Conflict(f"delivery {delivery_id} could not be composed; correct its data first")
    if row.trimmed_at is not None:
        raise Conflict(f"delivery {delivery_id} is past its retention period; its body is gone")
    queue_again(session, row)
    details = {"kind": row.kind}
    runtime.audit_action(session, principal, "delivery.retry", f"delivery {delivery_id}", details)
    session.commit()
    session.refresh(row)
    return DeliveryPublic.model_validate(row, from_attributes=True)
