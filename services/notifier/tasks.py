"""Celery entry points of the notifier (worker: -Q notifier,mail); each only calls a plain function.

Queue `notifier` carries scheduler events and the periodic sweeps, queue `mail` the send tasks, so
a slow SMTP server never holds events back when the two queues get separate workers.
"""

from typing import Any

from celery import signals

from services.notifier.handlers import HANDLERS
from services.notifier.ledger import MAIL_QUEUE, SEND_TASK, retry_deliveries
from services.notifier.models import runtime
from services.notifier.privacy import mask_addresses_in_logs
from services.notifier.reminders import send_due_reminders
from services.notifier.sending import send_deliveries
from shared.celery_app import make_celery
from shared.consumer import register_consumer
from shared.logs import configure_logging
from shared.settings import get_settings

celery_app = make_celery("notifier", queues=("notifier", MAIL_QUEUE))
celery_app.conf.task_routes = {SEND_TASK: {"queue": MAIL_QUEUE}}
# Look for messages a killed worker left unacknowledged every 10 s (kombu's default is ~100 s),
# so an event in flight at a crash comes back soon after COHORT_VISIBILITY_TIMEOUT.
celery_app.conf.broker_transport_options = {
    **celery_app.conf.broker_transport_options,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
consume_event = register_consumer(celery_app, runtime.consumer(HANDLERS))


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    settings = get_settings()
    configure_logging("notifier", level=settings.cohort_log_level, as_json=settings.cohort_log_json)
    mask_addresses_in_logs()


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
