"""Celery entry points of the notifier (worker: -Q notifier,mail); each only calls a plain function.

Queue `notifier` carries scheduler events and the periodic sweeps, queue `mail` the send tasks, so
a slow SMTP server never holds events back when the two queues get separate workers.
"""

from typing import Any

from celery import signals

from services.notifier.handlers import HANDLERS
from services.notifier.ledger import MAIL_QUEUE, SEND_TASK, retry_deliveries
from services.notifier.models import runtime
from services.notifier.reminders import send_due_reminders
from services.notifier.sending import send_deliveries
from shared.celery_app import make_celery
from shared.consumer import register_consumer

celery_app = make_celery("notifier", queues=("notifier", MAIL_QUEUE))
celery_app.conf.task_routes = {SEND_TASK: {"queue": MAIL_QUEUE}}
consume_event = register_consumer(celery_app, runtime.consumer(HANDLERS))


@signals.worker_init.connect
def _create_schema(**_: Any) -> None:
    runtime.create_schema()
    # Forked pool processes must open their own database connections.
    runtime.engine().dispose()


@signals.worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    runtime.engine().dispose(close=False)


@celery_app.task(name=SEND_TASK, ignore_result=True, acks_late=True)
def send_delivery(ids: list[int]) -> dict[str, int]:
    """Send these ledger rows (and other due rows while there are some) over one connection."""
    report = send_deliveries(runtime.engine(), [int(i) for i in ids])
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@celery_app.task(name="notifier.retry_deliveries", ignore_result=True)
def retry_due_deliveries() -> int:
    """Re-enqueue ledger rows whose backoff is over or whose sender died."""
    return retry_deliveries(runtime.engine())


@celery_app.task(name="notifier.send_due_reminders", ignore_result=True)
def send_reminders() -> int:
    """Queue the reminders now due."""
    return send_due_reminders(runtime.engine())
