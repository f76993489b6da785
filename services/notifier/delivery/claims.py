"""Rows under a sender's claim: taking them (row lock, lease), renewing the lease, recording
how each send went, taking back what a dead run of a worker held. Every function here is one
short transaction.

A claim token is a UUID whose first eight characters name the worker that took it (a hash of its
Celery node name, which Celery requires to be unique): a worker restarting under its name after a
crash frees at once the rows its dead run held, rather than leaving them until their leases run
out (COHORT_MAIL_LEASE_SECONDS), and the next sweep sends them again.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.engine import Connection

from services.notifier import domain
from services.notifier.delivery.ledger import claimable, delivery
from services.notifier.models import Delivery
from shared.columns import utcnow
from shared.db import is_sqlite
from shared.settings import get_settings

log = logging.getLogger(__name__)

_sender = [uuid.uuid4().hex[:8]]  # this process's tag until a worker names it (name_sender)


def sender_tag(node: str) -> str:
    """The eight characters that open the claim tokens of worker `node`."""
    return hashlib.sha256(node.encode()).hexdigest()[:8]


def name_sender(node: str) -> None:
    """Tag the claims this process (and the pool processes it forks) takes with `node`."""
    _sender[0] = sender_tag(node)


def new_token() -> str:
    """A fresh claim token carrying this process's sender tag."""
    return _sender[0] + str(uuid.uuid4())[8:]


@dataclass(frozen=True)
class ClaimedRow:
    """A row this sender holds: what to send and where."""

    id: int
    recipient: str
    kind: str
    uid: str | None
    sequence: int
    attempts: int
    correlation_id: str | None
    message: bytes


@dataclass
class Claim:
    """Rows one sender holds under one claim token, and when it last renewed their lease."""

    token: str
    rows: list[ClaimedRow]
    renewed_at: float = field(default_factory=time.monotonic)


def claim_rows(connection: Connection, ids: Sequence[int], *, limit: int, drain: bool) -> Claim:
    """Take up to `limit` claimable rows, the given ones first (and, draining, any other due
    ones): one UPDATE marks them sending under a fresh lease and returns what to send."""
    settings = get_settings()
    now = utcnow()
    token = new_token()
    given = delivery.c.id.in_(list(ids) or [0])
    chosen = select(delivery.c.id).where(
        claimable(now),
        # A row whose sender died this many times is the sweep's to fail, not ours to retry.
        or_(
            delivery.c.status == Delivery.QUEUED,
            delivery.c.attempts < settings.cohort_mail_max_attempts,
        ),
    )
    if not drain:
        chosen = chosen.where(given)
    chosen = chosen.order_by(given.desc(), delivery.c.id).limit(limit)
    if not is_sqlite(connection.engine):  # other senders skip rows this one holds
        chosen = chosen.with_for_update(skip_locked=True)
    lease = now + timedelta(seconds=settings.cohort_mail_lease_seconds)
    statement = (
        update(delivery)
        .where(delivery.c.id.in_(chosen.scalar_subquery()))
        .values(
            status=Delivery.SENDING,
            claim=token,
            lease_until=lease,
            attempts=delivery.c.attempts + 1,
        )
        .returning(
            delivery.c.id,
            delivery.c.recipient,
            delivery.c.kind,
            delivery.c.uid,
            delivery.c.sequence,
            delivery.c.attempts,
            delivery.c.correlation_id,
            delivery.c.message,
        )
    )
    with connection.begin():
        rows = [ClaimedRow(*row) for row in connection.execute(statement)]
    return Claim(token, sorted(rows, key=lambda row: row.id))


def record_sent(connection: Connection, claims: Sequence[tuple[str, Sequence[int]]]) -> None:
    """Mark rows sent, each only while still held under the claim (token) it was sent with."""
    held = [(row_id, token) for token, ids in claims for row_id in ids]
    if not held:
        return
    with connection.begin():
        connection.execute(
            update(delivery)
            .where(tuple_(delivery.c.id, delivery.c.claim).in_(held))
            .values(
                status=Delivery.SENT, sent_at=utcnow(), error=None, claim=None, lease_until=None
            )
        )


def record_failure(
    connection: Connection, token: str, row: ClaimedRow, error: str, final: bool
) -> str:
    settings = get_settings()
    if final or row.attempts >= settings.cohort_mail_max_attempts:
        values: dict[str, object] = {"status": Delivery.FAILED}
    else:
        wait = domain.retry_delay(row.attempts, base=settings.cohort_mail_retry_base)
        values = {
            "status": Delivery.QUEUED,
            "next_attempt_at": utcnow() + wait,
            "dispatched_at": None,
        }
    with connection.begin():
        connection.execute(
            update(delivery)
            .where(delivery.c.id == row.id, delivery.c.claim == token)
            .values(error=error[:2000], claim=None, lease_until=None, **values)
        )
    return str(values["status"])


def renew_lease(connection: Connection, claim: Claim, pending: list[int]) -> None:
    lease = utcnow() + timedelta(seconds=get_settings().cohort_mail_lease_seconds)
    with connection.begin():
        connection.execute(
            update(delivery)
            .where(delivery.c.id.in_(pending), delivery.c.claim == claim.token)
            .values(lease_until=lease)
        )
    claim.renewed_at = time.monotonic()


def take_back(connection: Connection, node: str) -> tuple[int, int]:
    """At the start of worker `node`, before it claims anything: free the rows its dead previous
    run held, and let the sweep enqueue again the due rows whose send task may have died with it.
    Returns how many rows of each."""
    now = utcnow()
    with connection.begin():
        held = connection.execute(
            update(delivery)
            .where(
                delivery.c.status == Delivery.SENDING,
                delivery.c.claim.like(f"{sender_tag(node)}-%"),
            )
            .values(lease_until=now, dispatched_at=None)
        )
        waiting = connection.execute(
            update(delivery)
            .where(
                delivery.c.status == Delivery.QUEUED,
                delivery.c.next_attempt_at <= now,
                delivery.c.dispatched_at.is_not(None),
            )
            .values(dispatched_at=None)
        )
    if held.rowcount or waiting.rowcount:
        log.warning(
            "deliveries taken back from the worker's previous run",
            extra={"held": held.rowcount, "waiting": waiting.rowcount},
        )
    return int(held.rowcount), int(waiting.rowcount)
