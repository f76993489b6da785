"""A service's Celery worker that applies the events on its own queue, once each."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init

from shared.celery_app import make_celery
from shared.consumer import Consumer, Handler, register_consumer
from shared.logs import configure_logging
from shared.runtime import ServiceRuntime
from shared.settings import get_settings


@dataclass(frozen=True)
class EventWorker:
    """The Celery app, its consumer and the task that feeds it."""

    celery_app: Celery
    consumer: Consumer
    consume_event: Task


def event_worker(runtime: ServiceRuntime, handlers: Mapping[str, Handler]) -> EventWorker:
    """The worker of the queue named after the service, applying events with `handlers`; it logs
    as `<service>-worker` and brings the schema up to date before its pool starts."""
    service = runtime.service
    celery_app = make_celery(service, queues=(service,))
    consumer = runtime.consumer(handlers)

    def prepare(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", celery_app) is not celery_app:
            return  # another app's worker in this process (tests import several)
        settings = get_settings()
        configure_logging(
            f"{service}-worker", level=settings.cohort_log_level, as_json=settings.cohort_log_json
        )
        runtime.migrate()
        # Pooled connections must not cross into the forked worker processes.
        runtime.engine().dispose()

    worker_init.connect(prepare, weak=False)
    return EventWorker(celery_app, consumer, register_consumer(celery_app, consumer))
