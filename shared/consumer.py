"""Consuming events: dedupe on event id with the handler's effects; transient failures retried
without end, permanent ones parked at once, workers that die on an event bounded."""

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import redis
from celery import Celery, Task
from pydantic import ValidationError
from sqlalchemy import Insert, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.broker import redis_for
from shared.confirmations import confirm
from shared.events import Envelope, Event, consume_task_name, unwrap
from shared.faults import is_transient
from shared.logs import correlation_id
from shared.outbox import BusTables
from shared.settings import get_settings

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
# Called with an event's session before its handler runs; the notifier's consume task hands the
# session to its inline sender this way (services/notifier/delivery/inline.py).
SessionHook = Callable[[Session], None]
DELIVERY_COUNTER_TTL = 7 * 24 * 3600


# In-worker retries of a transient failure: 0.5 s doubling to 256 s, about 8.5 minutes in all;
# after that the event is left unconfirmed and its producer's re-sends (up to every 10 minutes)
# take over, so an outage of any length parks nothing.
TRANSIENT_RETRIES = 10


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (exponential, capped at five minutes)."""
    return float(min(0.5 * 2 ** (attempt - 1), 300.0))


def retrying_key(service: str) -> str:
    """The Redis sorted set of events a service is retrying, scored by their last failure."""
    return f"cohort:retrying:{service}"


class Consumer:
    """Applies each event to a service's database once; parks the ones that keep failing."""

    def __init__(
        self,
        *,
        service: str,
        tables: BusTables,
        engine: Callable[[], Engine],
        handlers: Mapping[str, Handler],
        redis_url: str,
        max_deliveries: int,
    ) -> None:
        self.service = service
        self.tables = tables
        self.engine = engine
        self.handlers = handlers
        self.redis = redis_for(redis_url)
        self.max_deliveries = max_deliveries
        self._record: dict[str, Insert] = {}

    def _record_statement(self, engine: Engine) -> Insert:
        """INSERT of a processed event id that skips an id already there (built once)."""
        name = engine.dialect.name
        statement = self._record.get(name)
        if statement is None:
            dialect_insert = sqlite_insert if name == "sqlite" else pg_insert
            processed = self.tables.processed
            statement = self._record[name] = (
                dialect_insert(processed).on_conflict_do_nothing().returning(processed.c.event_id)
            )
        return statement

    def count_delivery(self, event_id: str) -> int:
        """Count this delivery of an event (Redis keeps no redelivery counter of its own)."""
        key = f"cohort:deliveries:{self.service}:{event_id}"
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, DELIVERY_COUNTER_TTL)
        return int(pipe.execute()[0])

    def apply_once(self, envelope: Envelope, *, on_session: SessionHook | None = None) -> bool:
        """Run the handler and record the event id in one transaction; False if seen before."""
        handler = self.handlers.get(envelope.type)
        event = unwrap(envelope)
        engine = self.engine()
        record = {
            "event_id": str(envelope.event_id),
            "type": envelope.type,
            "processed_at": datetime.now(UTC),
        }
        with Session(engine, expire_on_commit=False) as session:
            if on_session is not None:
                on_session(session)
            # A concurrent delivery of the same id waits here for the other transaction's end.
            if session.execute(self._record_statement(engine), record).first() is None:
                session.rollback()
                return False
            if handler is not None:
                handler(session, event)
            session.commit()
        return True

    def park(self, payload: Mapping[str, Any], error: str, attempts: int) -> None:
        """Move an event that cannot be applied to the dead-events table."""
        with self.engine().begin() as connection:
            connection.execute(
                insert(self.tables.dead).values(
                    event_id=str(payload.get("event_id", "?"))[:64],
                    type=str(payload.get("type", "?"))[:64],
                    consumer=self.service,
                    payload=json.dumps(payload, default=str),
                    error=error[:4000],
                    attempts=attempts,
                    died_at=datetime.now(UTC),
                )
            )
        log.error(
            "event parked as dead",
            extra={"event_type": payload.get("type"), "attempts": attempts, "error": error[:200]},
        )

    def consume(
        self, task: Task, payload: dict[str, Any], *, on_session: SessionHook | None = None
    ) -> str:
        """Handle one delivery; return what happened (applied, duplicate, dead or retrying)."""
        try:
            envelope = Envelope.model_validate(payload)
        except ValidationError as exc:
            self.park(payload, f"malformed envelope: {exc}", 1)
            self._confirm(str(payload.get("producer", "")), str(payload.get("event_id", "")))
            return "dead"
        token = correlation_id.set(envelope.correlation_id)
        try:
            outcome = self._deliver(task, envelope, payload, on_session)
        finally:
            correlation_id.reset(token)
        if outcome != "retrying":
            # Only now, with the effects (or the parking) committed, may the producer stop sending.
            self._confirm(envelope.producer, str(envelope.event_id))
        return outcome

    def _confirm(self, producer: str, event_id: str) -> None:
        if producer and event_id:
            confirm(self.redis, producer=producer, consumer=self.service, event_id=event_id)

    def _deliver(
        self,
        task: Task,
        envelope: Envelope,
        payload: dict[str, Any],
        on_session: SessionHook | None,
    ) -> str:
        attempt = self.count_delivery(str(envelope.event_id))
        if attempt > self.max_deliveries:
            self.park(payload, "delivered too many times without success", attempt - 1)
            return "dead"
        try:
            applied = self.apply_once(envelope, on_session=on_session)
        except Exception as exc:
            if is_transient(exc):
                return self._retry_later(task, envelope, exc)
            self.park(payload, repr(exc), attempt)  # permanent: trying again cannot help
            self._forget_retrying(str(envelope.event_id))
            return "dead"
        self._forget_retrying(str(envelope.event_id))
        outcome = "applied" if applied else "duplicate"
        log.info(
            "event consumed",
            extra={
                "event_type": envelope.type,
                "event_id": str(envelope.event_id),
                "outcome": outcome,
            },
        )
        return outcome

    def _retry_later(self, task: Task, envelope: Envelope, exc: Exception) -> str:
        """Retry a transient failure with growing pauses; it never counts towards parking."""
        event_id = str(envelope.event_id)
        retries = int(task.request.retries or 0)
        details = {"event_type": envelope.type, "retries": retries, "error": repr(exc)[:200]}
        try:
            pipe = self.redis.pipeline()
            pipe.decr(f"cohort:deliveries:{self.service}:{event_id}")
            pipe.zadd(retrying_key(self.service), {event_id: time.time()})
            pipe.execute()
        except redis.RedisError:
            pass  # the broker is the thing that is away: the retry below will wait for it
        if retries < TRANSIENT_RETRIES:
            log.warning("event failed for a passing reason; will retry", extra=details)
            raise task.retry(countdown=retry_delay(retries + 1), exc=exc) from exc
        log.warning("event still failing; its producer will send it again", extra=details)
        return "retrying"

    def _forget_retrying(self, event_id: str) -> None:
        try:
            self.redis.zrem(retrying_key(self.service), event_id)
        except redis.RedisError:
            log.warning("could not clear an event's retrying mark")


def count_retrying(service: str, window: float = 3600.0) -> int:
    """How many events this service failed on for a passing reason within the last hour."""
    client = redis_for(get_settings().cohort_redis_url)
    key = retrying_key(service)
    client.zremrangebyscore(key, "-inf", time.time() - window)
    return int(client.zcard(key))


def register_consumer(app: Celery, consumer: Consumer) -> Task:
    """Define the thin Celery task through which `consumer` receives its events."""

    @app.task(name=consume_task_name(consumer.service), bind=True, max_retries=None)
    def consume_event(self: Task, payload: dict[str, Any]) -> str:
        return consumer.consume(self, payload)

    return consume_event
