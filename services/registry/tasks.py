"""Celery entry point of the registry worker: accounts events, applied once each.

The registry API (which shares the database) reloads its revocation list from what this worker
stores, and its relay loop re-sends the registry's own unsent events.
"""

from services.registry.database import runtime
from services.registry.handlers import HANDLERS
from shared.event_worker import event_worker

worker = event_worker(runtime, HANDLERS)
celery_app, consumer, consume_event = worker.celery_app, worker.consumer, worker.consume_event
