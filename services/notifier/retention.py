"""How long the ledger keeps what it sent: a finished message's body goes after its period.

Headers stay (who, when, which meeting, which method) and a SHA-256 of the whole message as it
was sent; the body holds the calendar part, names and the join link, which nobody needs once
the message is delivered or has given up.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Engine

from services.notifier.models import Delivery
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

BATCH = 500
FINISHED = (Delivery.SENT, Delivery.FAILED)
# A sign-in mail's link is dead 15 minutes after it was asked for: its body goes after a day.
SIGN_IN_KIND = "sign_in"
SIGN_IN_DAYS = 1.0


def headers_of(message: bytes) -> bytes:
    """The header block of a MIME message (everything before the first empty line)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, _ = message.partition(separator)
        if found:
            return head + separator
    return message


def trim_sent_messages(
    engine: Engine, settings: Settings | None = None, now: datetime | None = None
) -> int:
    """Replace finished messages older than `COHORT_RETAIN_MESSAGE_DAYS` by headers and hash."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    before = now - timedelta(days=settings.cohort_retain_message_days)
    sign_in_before = now - timedelta(days=min(SIGN_IN_DAYS, settings.cohort_retain_message_days))
    trimmed = 0
    while batch := _trim_batch(engine, before, sign_in_before, now):
        trimmed += batch
    if trimmed:
        log.info("trimmed sent messages", extra={"trimmed": trimmed})
    return trimmed


def _trim_batch(engine: Engine, before: datetime, sign_in_before: datetime, now: datetime) -> int:
    table = Delivery.__table__  # type: ignore[attr-defined]
    finished_at = func.coalesce(table.c.sent_at, table.c.created_at)
    expired = or_(
        finished_at < before, and_(table.c.kind == SIGN_IN_KIND, finished_at < sign_in_before)
    )
    due = (
        select(table.c.id, table.c.message)
        .where(table.c.status.in_(FINISHED), table.c.trimmed_at.is_(None), expired)
        .order_by(table.c.id)
        .limit(BATCH)
    )
    trim = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.trimmed_at.is_(None))
        .values(message=bindparam("head"), message_sha256=bindparam("digest"), trimmed_at=now)
    )
    with engine.begin() as connection:
        rows = connection.execute(due).all()
        if rows:
            # One executemany for the batch rather than a round trip per message.
            connection.execute(
                trim,
                [
                    {
                        "row_id": row.id,
                        "head": headers_of(row.message),
                        "digest": hashlib.sha256(row.message).hexdigest(),
                    }
                    for row in rows
                ],
            )
    return len(rows)
