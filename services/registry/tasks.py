"""Celery entry point of the registry worker: accounts events, applied once each.

The registry API (which shares the database) reloads its revocation list from what this worker
stores, and its relay loop re-sends the registry's own unsent events.
"""

from typing import Any

from celery import Celery
from celery.signals import worker_init

from services.registry.database import runtime
from services.registry.handlers import HANDLERS
from shared.celery_app import make_celery
from shared.consumer import register_consumer
from shared.logs import configure_logging
from shared.settings import get_settings

celery_app: Celery = make_celery("registry", queues=("registry",))
consumer = runtime.consumer(HANDLERS)
consume_event = register_consumer(celery_app, consumer)


@worker_init.connect
def _prepare_worker(**_: Any) -> None:
    settings = get_settings()
    configure_logging(
        "registry-worker", level=settings.cohort_log_level, as_json=settings.cohort_log_json
    )
    runtime.migrate()
    # Pooled connections must not cross into the forked worker processes.
    runtime.engine().dispose()
