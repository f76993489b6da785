"""Engines and sessions for SQLite and PostgreSQL, with writers serialized on SQLite."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _serialize_sqlite_writers(engine: Engine) -> None:
    # SQLite ignores SELECT ... FOR UPDATE; BEGIN IMMEDIATE takes the write lock up front so
    # read-check-write sequences cannot interleave.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    """Return one shared engine per database URL."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _serialize_sqlite_writers(engine)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    # No pre-ping: it costs a round trip per checkout; connections are recycled instead.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


SCHEMA_LOCK_KEY = 7_340_001


def create_schema(engine: Engine, metadata: MetaData) -> None:
    """Create any missing tables of one service (idempotent; run at process start)."""
    if is_sqlite(engine):
        metadata.create_all(engine)
        return
    # API and worker start together; the advisory lock stops two create_all runs racing.
    with engine.begin() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        metadata.create_all(connection)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_AFTER_COMMIT = "cohort_after_commit"
_BATCHES = "cohort_after_commit_batches"
Item = TypeVar("Item")


def after_commit(session: OrmSession, step: Callable[[], None]) -> None:
    """Run `step` once the session's real transaction commits; forget it if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT, []).append(step)


def after_commit_batch(
    session: OrmSession, key: str, flush: Callable[[list[Item]], None]
) -> list[Item]:
    """A list gathered during the transaction and handed to `flush` once it commits."""
    batches: dict[str, list[Any]] = session.info.setdefault(_BATCHES, {})
    batch = batches.get(key)
    if batch is None:
        batch = batches[key] = []
        after_commit(session, lambda: flush(batches.pop(key)))
    return batch


def _run_after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        # Releasing a SAVEPOINT fires after_commit too; the steps wait for the real commit.
        return
    for step in session.info.pop(_AFTER_COMMIT, []):
        step()


def _forget_after_commit(session: OrmSession, *_: Any) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    session.info.pop(_BATCHES, None)


event.listen(OrmSession, "after_commit", _run_after_commit)
event.listen(OrmSession, "after_soft_rollback", _forget_after_commit)
