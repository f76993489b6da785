"""Celery entry point of the scheduler worker: registry events, applied once each.

Events this worker emits are sent right after each commit; rows left unsent are re-sent by the
relay loop of the scheduler API, which shares the database.
"""

from typing import Any

from celery import Celery
from celery.signals import worker_init

from services.scheduler.database import runtime
from services.scheduler.handlers import HANDLERS
from shared.celery_app import make_celery
from shared.consumer import register_consumer
from shared.logs import configure_logging
from shared.settings import get_settings

celery_app: Celery = make_celery("scheduler", queues=("scheduler",))
consumer = runtime.consumer(HANDLERS)
consume_event = register_consumer(celery_app, consumer)


@worker_init.connect
def _prepare_worker(**_: Any) -> None:
    settings = get_settings()
    configure_logging(
        "scheduler-worker", level=settings.cohort_log_level, as_json=settings.cohort_log_json
    )
    runtime.migrate()
    # Pooled connections must not cross into the forked worker processes.
    runtime.engine().dispose()
