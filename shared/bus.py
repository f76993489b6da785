"""Delivery of envelopes as Celery tasks, sent by name to each subscribed service's queue."""

import logging
from collections.abc import Mapping
from functools import cached_property

from celery import Celery

from shared.celery_app import publisher_app
from shared.events import SUBSCRIPTIONS, Envelope, consume_task_name
from shared.settings import Settings

log = logging.getLogger(__name__)

PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


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
        """The Celery app used to send (built on first use)."""
        return self._app or publisher_app(self._settings)

    def send(self, envelope: Envelope) -> None:
        """Send one envelope to every subscriber's queue (raises if the broker is unreachable)."""
        for service in self.subscriptions.get(envelope.type, ()):
            self.app.send_task(
                consume_task_name(service),
                args=[envelope.model_dump(mode="json")],
                queue=service,
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
        log.debug("event sent", extra={"event_type": envelope.type})
