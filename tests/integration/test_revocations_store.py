"""A service's revocation list on PostgreSQL: the handler upserts (latest wins), the copy loads
only live rows, and retention deletes what no token needs any more."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from shared.auth import Principal, Role
from shared.events import AccessRevoked


@pytest.fixture(scope="module", autouse=True)
def _schema() -> None:
    from services.registry.database import runtime

    runtime.migrate()


def _apply(key: str, revoked_at: datetime) -> None:
    from services.registry.database import revocations, runtime

    with Session(runtime.engine()) as session:
        revocations.apply(session, AccessRevoked(key=key, revoked_at=revoked_at, reason="test"))
        session.commit()


def _stored(key: str) -> tuple[datetime, datetime] | None:
    from services.registry.database import revocations, runtime

    table = revocations.table
    query = select(table.c.revoked_at, table.c.expires_at).where(table.c.key == key)
    with runtime.engine().connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else (row.revoked_at, row.expires_at)


def _holder(key: str) -> Principal:
    sid = key.removeprefix("sid:")
    return Principal(person_id=7, roles=frozenset({Role.EDUCATOR}), session_id=sid, subject="7")


def test_applying_twice_or_out_of_order_keeps_the_latest_revocation() -> None:
    key = f"sub:{uuid.uuid4().int % 10**9}"
    now = datetime.now(UTC).replace(microsecond=0)
    _apply(key, now)
    _apply(key, now)
    _apply(key, now - timedelta(seconds=60))
    assert _stored(key) == (now, now + timedelta(seconds=930))
    _apply(key, now + timedelta(seconds=5))
    assert _stored(key) == (now + timedelta(seconds=5), now + timedelta(seconds=935))


def test_a_revocation_arriving_after_its_tokens_expired_is_not_stored() -> None:
    key = f"sid:session:{uuid.uuid4().hex}"
    _apply(key, datetime.now(UTC) - timedelta(hours=1))
    assert _stored(key) is None


def test_the_copy_holds_live_rows_and_retention_deletes_expired_ones() -> None:
    from services.registry.database import revocations, runtime

    live, expired = f"sid:session:{uuid.uuid4().hex}", f"sid:session:{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    _apply(live, now)
    with runtime.engine().begin() as connection:
        connection.execute(
            insert(revocations.table),
            {"key": expired, "revoked_at": now - timedelta(hours=1), "expires_at": now},
        )
    revocations.load()
    assert revocations.covers(_holder(live)) and not revocations.covers(_holder(expired))
    assert runtime.purge_expired() >= 1
    assert _stored(expired) is None and _stored(live) is not None
