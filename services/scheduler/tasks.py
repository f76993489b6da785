"""Celery entry point of the scheduler worker: registry events, applied once each.

Events this worker emits are sent right after each commit; rows left unsent are re-sent by the
relay loop of the scheduler API, which shares the database.
"""

from services.scheduler.database import runtime
from services.scheduler.handlers import HANDLERS
from shared.event_worker import event_worker

worker = event_worker(runtime, HANDLERS)
celery_app, consumer, consume_event = worker.celery_app, worker.consumer, worker.consume_event
