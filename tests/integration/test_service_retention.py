"""The ledger keeps a finished message's headers and hash only, and old idempotency keys go."""

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from services.notifier.models import Delivery, NotifierTable
from services.notifier.retention import headers_of, trim_sent_messages
from services.scheduler.database import forget_idempotency_keys
from services.scheduler.models import IdempotencyKey, SchedulerTable
from shared.db import create_schema, engine_for
from shared.settings import Settings
from tests.support.infra import create_database, drop_database

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)
HEAD = b"To: a@example.org\r\nSubject: Implicit bias, session 1\r\nMIME-Version: 1.0\r\n\r\n"
BODY = b"BEGIN:VCALENDAR\r\nATTENDEE:mailto:a@example.org\r\nEND:VCALENDAR\r\n"


@pytest.fixture()
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    name = f"cohort_keep_{request.node.name[-20:].lower()}_{os.getpid()}"
    engine = engine_for(create_database(name))
    create_schema(engine, NotifierTable.metadata)
    create_schema(engine, SchedulerTable.metadata)
    yield engine
    engine.dispose()
    drop_database(name)


def _delivery(variant: str, status: str, days: float, sent: bool = True) -> dict[str, object]:
    at = NOW - timedelta(days=days)
    return {
        "recipient": "a@example.org",
        "meeting_id": 1,
        "kind": "invite",
        "variant": variant,
        "status": status,
        "created_at": at,
        "next_attempt_at": at,
        "sent_at": at if sent else None,
        "message": HEAD + BODY,
    }


def _ledger(engine: Engine) -> dict[str, tuple[bytes, str | None, datetime | None]]:
    table = Delivery.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(table)).all()
    return {row.variant: (row.message, row.message_sha256, row.trimmed_at) for row in rows}


def test_finished_messages_past_the_period_keep_headers_and_hash(engine: Engine) -> None:
    table = Delivery.__table__  # type: ignore[attr-defined]
    rows = [
        _delivery("old-sent", Delivery.SENT, 31),
        _delivery("old-failed", Delivery.FAILED, 40, sent=False),
        _delivery("new-sent", Delivery.SENT, 29),
        _delivery("old-queued", Delivery.QUEUED, 60, sent=False),
        _delivery("old-sending", Delivery.SENDING, 60, sent=False),
    ]
    with engine.begin() as connection:
        connection.execute(insert(table), rows)

    assert trim_sent_messages(engine, Settings(), now=NOW) == 2
    assert trim_sent_messages(engine, Settings(), now=NOW) == 0

    ledger = _ledger(engine)
    digest = hashlib.sha256(HEAD + BODY).hexdigest()
    for variant in ("old-sent", "old-failed"):
        assert ledger[variant][:2] == (HEAD, digest)
        assert ledger[variant][2] == NOW
    for variant in ("new-sent", "old-queued", "old-sending"):
        assert ledger[variant] == (HEAD + BODY, None, None)


def test_the_period_is_a_setting(engine: Engine) -> None:
    table = Delivery.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(insert(table), [_delivery("two-days", Delivery.SENT, 2)])
    assert trim_sent_messages(engine, Settings(cohort_retain_message_days=3), now=NOW) == 0
    assert trim_sent_messages(engine, Settings(cohort_retain_message_days=1), now=NOW) == 1


def test_headers_of_a_message_without_a_body_is_the_message() -> None:
    assert headers_of(HEAD + BODY) == HEAD
    assert headers_of(b"Subject: x\n\nbody") == b"Subject: x\n\n"
    assert headers_of(b"") == b""


def test_idempotency_keys_past_the_period_are_forgotten(engine: Engine) -> None:
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    key = {"educator_id": 7, "offering_id": 1, "status_code": 201, "body": {}}
    with engine.begin() as connection:
        connection.execute(
            insert(table),
            [
                {**key, "key": "old", "created_at": NOW - timedelta(days=8)},
                {**key, "key": "new", "created_at": NOW - timedelta(days=6)},
            ],
        )
    assert forget_idempotency_keys(engine, Settings(), now=NOW) == 1
    with engine.connect() as connection:
        assert list(connection.execute(select(table.c.key)).scalars()) == ["new"]


def test_a_sign_in_mail_keeps_its_body_one_day(engine: Engine) -> None:
    table = Delivery.__table__  # type: ignore[attr-defined]
    rows = [
        {**_delivery("sign-in-old", Delivery.SENT, 1.5), "kind": "sign_in"},
        {**_delivery("sign-in-new", Delivery.SENT, 0.5), "kind": "sign_in"},
        _delivery("invite-two-days", Delivery.SENT, 2),
    ]
    with engine.begin() as connection:
        connection.execute(insert(table), rows)
    assert trim_sent_messages(engine, Settings(), now=NOW) == 1
    ledger = _ledger(engine)
    assert ledger["sign-in-old"][1] is not None
    assert ledger["sign-in-new"][1] is None and ledger["invite-two-days"][1] is None
