"""Delivery of envelopes as Celery tasks, sent by name to each subscribed service's queue."""

import logging
from collections.abc import Mapping, Sequence
from functools import cached_property

import redis
from celery import Celery

from shared.broker import redis_for
from shared.celery_app import publisher_app
from shared.events import SUBSCRIPTIONS, Envelope, consume_task_name
from shared.settings import Settings, get_settings
from shared.wire import task_message

log = logging.getLogger(__name__)


class Publisher:
    """Sends an envelope to the queue of every service subscribed to its type."""

    def __init__(
        self,
        app: Celery | None = None,
        settings: Settings | None = None,
        subscriptions: Mapping[str, tuple[str, ...]] = SUBSCRIPTIONS,
    ) -> None:
        self._app = app
        self._settings = settings
        self.subscriptions = subscriptions

    @cached_property
    def app(self) -> Celery:
        """A Celery app for sending ordinary tasks (built on first use)."""
        return self._app or publisher_app(self._settings)

    @cached_property
    def redis(self) -> redis.Redis:
        """The broker connection pool events are pushed through."""
        url = (self._settings or get_settings()).cohort_redis_url
        return redis_for(url)

    def send(self, envelope: Envelope, services: Sequence[str] | None = None) -> None:
        """Send one envelope to every subscriber's queue, or only to `services` (raises if the
        broker is unreachable)."""
        if services is None:
            services = self.subscriptions.get(envelope.type, ())
        if not services:
            return
        args = [envelope.model_dump(mode="json")]
        summary = f"{envelope.type} {envelope.event_id}"
        messages = {
            service: task_message(consume_task_name(service), args, service, summary=summary)
            for service in services
        }
        if len(messages) == 1:  # most events have one subscriber: no pipeline to set up
            ((queue, message),) = messages.items()
            self.redis.lpush(queue, message)
        else:
            pipe = self.redis.pipeline(transaction=False)
            for queue, message in messages.items():
                pipe.lpush(queue, message)
            pipe.execute()
        log.debug("event sent", extra={"event_type": envelope.type})
