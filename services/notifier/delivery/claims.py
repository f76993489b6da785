"""Rows under a sender's claim: taking them (row lock, lease), renewing the lease, recording
how each send went. Every function here is one short transaction."""

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
    token = str(uuid.uuid4())
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
