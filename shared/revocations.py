"""Each service's revocation list: `access.revoked` events kept in its own database until the
tokens they cover have expired, and an in-memory copy every verified token is checked against.

The copy is reloaded from the table by a background thread once a second, so a request pays two
dictionary lookups and a revocation is refused within about a second of its event's commit.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Insert,
    MetaData,
    String,
    Table,
    case,
    delete,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared import access_tokens
from shared.auth import Principal
from shared.columns import as_utc
from shared.events import AccessRevoked, Event
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0
# The accounts service never mints a token for longer than this, whatever its setting says.
MAX_TOKEN_SECONDS = 900

# Key → when it was revoked (Unix seconds).
Revoked = Mapping[str, float]


def is_revoked(principal: Principal, revoked: Revoked) -> bool:
    """Tell whether a verified caller's token is covered by a revocation: its `sid`, or its
    `sub` when the token was issued no later than that revocation."""
    if not revoked:
        return False
    if "sid:" + principal.session_id in revoked:
        return True
    at = revoked.get("sub:" + principal.subject)
    return at is not None and principal.issued_at <= at


def kept_until(revoked_at: datetime, settings: Settings | None = None) -> datetime:
    """When a revocation stops mattering: the last token it covers has expired by then."""
    ttl = max(1, min((settings or get_settings()).cohort_access_token_ttl, MAX_TOKEN_SECONDS))
    return as_utc(revoked_at) + timedelta(seconds=ttl + access_tokens.LEEWAY_SECONDS)


def define_revocations_table(metadata: MetaData) -> Table:
    """Add the `revocations` table to a service's metadata."""
    table = Table(
        "revocations",
        metadata,
        Column("key", String(255), primary_key=True),
        Column("revoked_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )
    Index("ix_revocations_expires_at", table.c.expires_at)
    return table


class RevocationList:
    """A service's revocations: stored by its consumer, checked by its API processes."""

    def __init__(self, metadata: MetaData, engine: Callable[[], Engine]) -> None:
        self.table = define_revocations_table(metadata)
        self.engine = engine
        self._revoked: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def covers(self, principal: Principal) -> bool:
        """Tell whether the caller's token is revoked, by the copy last loaded."""
        return is_revoked(principal, self._revoked)

    def apply(self, session: Session, event: Event) -> None:
        """Store a revocation (a handler: idempotent, the latest `revoked_at` of a key wins)."""
        assert isinstance(event, AccessRevoked)
        revoked_at = as_utc(event.revoked_at)
        expires_at = kept_until(revoked_at)
        if expires_at <= datetime.now(UTC):
            return  # arrived after every token it covers expired
        row = {"key": event.key, "revoked_at": revoked_at, "expires_at": expires_at}
        session.connection().execute(self._upsert(session.get_bind().dialect.name), row)

    def _upsert(self, dialect: str) -> Insert:
        """INSERT of a revocation that keeps the later of two for one key."""
        table = self.table
        statement = (sqlite_insert if dialect == "sqlite" else pg_insert)(table)
        later = statement.excluded.revoked_at > table.c.revoked_at
        return statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "revoked_at": case(
                    (later, statement.excluded.revoked_at), else_=table.c.revoked_at
                ),
                "expires_at": case(
                    (later, statement.excluded.expires_at), else_=table.c.expires_at
                ),
            },
        )

    def load(self) -> int:
        """Replace the in-memory copy with the table's live rows; how many there are."""
        table = self.table
        query = select(table.c.key, table.c.revoked_at).where(
            table.c.expires_at > datetime.now(UTC)
        )
        with self.engine().connect() as connection:
            rows = connection.execute(query).all()
        self._revoked = {row.key: as_utc(row.revoked_at).timestamp() for row in rows}
        return len(self._revoked)

    def purge_expired(self, engine: Engine) -> int:
        """Delete revocations whose tokens have all expired (a retention purger); how many."""
        with engine.begin() as connection:
            table = self.table
            now = datetime.now(UTC)
            return int(connection.execute(delete(table).where(table.c.expires_at <= now)).rowcount)

    def start(self) -> None:
        """Refuse revoked tokens from now on, and keep the copy fresh on a daemon thread."""
        self._refresh_once()
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="revocations", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop refreshing (the last copy stays in force)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS):
            self._refresh_once()

    def _refresh_once(self) -> None:
        try:
            self.load()
        except Exception:
            # The last copy stays in force; the database being away is reported by /readyz.
            log.warning("could not reload the revocation list", exc_info=True)
