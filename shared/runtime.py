"""A service's database, outbox, relay and consumer, wired from settings."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from shared.audit_log import Actor, AuditLog, define_audit_table
from shared.auth import Principal
from shared.bus import Publisher
from shared.consumer import Consumer, Handler, count_retrying
from shared.db import engine_for
from shared.metrics import (
    DEAD_EVENTS,
    EVENTS_RETRYING,
    OUTBOX_BACKLOG,
    OUTBOX_UNCONFIRMED,
    observe_queue_depths,
)
from shared.migrations import Migrations
from shared.outbox import Outbox, define_bus_tables
from shared.redrive import count_dead
from shared.relay import RelayLoop, outbox_backlog, outbox_unconfirmed
from shared.retention import purge_bus
from shared.settings import get_settings


class ServiceRuntime:
    """Everything a service needs to persist and publish; engines are built on first use."""

    def __init__(
        self,
        *,
        service: str,
        metadata: MetaData,
        database_setting: str,
        migrations: Path,
        retention: Sequence[Callable[[Engine], int]] = (),
    ) -> None:
        self.service = service
        self.metadata = metadata
        self.migrations = Migrations(service=service, metadata=metadata, location=migrations)
        self.database_setting = database_setting
        self.retention = tuple(retention)
        self.bus_tables = define_bus_tables(metadata)
        self.audit = AuditLog(define_audit_table(metadata))
        self.outbox = Outbox(service=service, tables=self.bus_tables, publisher=Publisher())
        self._relay: RelayLoop | None = None

    @property
    def database_url(self) -> str:
        """The service's database URL from settings (production refuses the SQLite default)."""
        settings = get_settings()
        url = str(getattr(settings, self.database_setting))
        if settings.cohort_env == "production" and url.startswith("sqlite"):
            raise RuntimeError(
                f"{self.database_setting.upper()} must name this service's PostgreSQL database "
                "when COHORT_ENV=production"
            )
        return url

    def engine(self) -> Engine:
        """The service's engine (one per process and URL)."""
        return engine_for(self.database_url)

    async def request_session(self) -> AsyncIterator[Session]:
        """Yield a session for one request (a FastAPI dependency; the session connects lazily)."""
        session = Session(self.engine(), expire_on_commit=False)
        try:
            yield session
        finally:
            # Ending an open transaction talks to the database: do that off the event loop.
            if session.in_transaction():
                await run_in_threadpool(session.close)
            else:
                session.close()

    def audit_action(
        self,
        session: Session,
        actor: Principal | Actor,
        action: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record who did what in the session's transaction (it commits with the change)."""
        who = actor if isinstance(actor, Actor) else Actor.of(actor)
        self.audit.record(session.connection(), who, action, subject, details)

    def migrate(self) -> None:
        """Bring the service's database to the newest schema (a no-op when it is there)."""
        self.migrations.upgrade(self.engine())

    def start_relay(self) -> None:
        """Start re-sending events left unsent (the outbox's crash path)."""
        settings = get_settings()
        self._relay = RelayLoop(
            self.outbox,
            self.engine(),
            interval=settings.cohort_outbox_relay_interval,
            older_than=settings.cohort_outbox_relay_age,
            purge=self.purge_expired,
        )
        self._relay.start()

    def purge_expired(self) -> int:
        """Delete (or trim) every row of this service past its retention period; how many."""
        engine = self.engine()
        purged = purge_bus(self.bus_tables, engine)
        return (
            purged.outbox
            + purged.processed
            + purged.dead
            + sum(purge(engine) for purge in self.retention)
        )

    def stop_relay(self) -> None:
        """Stop the relay loop if it runs."""
        if self._relay is not None:
            self._relay.stop()
            self._relay = None

    def observe_metrics(self) -> None:
        """Refresh this service's gauges: outbox backlog, unconfirmed events, queue depths."""
        OUTBOX_BACKLOG.labels(self.service).set(outbox_backlog(self.outbox, self.engine()))
        unconfirmed = outbox_unconfirmed(self.outbox, self.engine())
        OUTBOX_UNCONFIRMED.labels(self.service).set(unconfirmed)
        DEAD_EVENTS.labels(self.service).set(
            count_dead(self.bus_tables, self.engine(), self.service)
        )
        EVENTS_RETRYING.labels(self.service).set(count_retrying(self.service))
        observe_queue_depths(get_settings().cohort_redis_url)

    def consumer(self, handlers: Mapping[str, Handler]) -> Consumer:
        """A consumer that applies events to this service's database once each."""
        settings = get_settings()
        return Consumer(
            service=self.service,
            tables=self.bus_tables,
            engine=self.engine,
            handlers=handlers,
            redis_url=settings.cohort_redis_url,
            max_deliveries=settings.cohort_max_deliveries,
        )
