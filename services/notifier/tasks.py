"""Celery entry points of the notifier (worker: -Q notifier,mail); each only calls a plain function.

Queue `notifier` carries scheduler events and the periodic sweeps, queue `mail` the send tasks, so
a slow SMTP server never holds events back when the two queues get separate workers. A worker that
serves both sends the messages an event queued from the consume task itself (delivery/inline.py).
"""

from typing import Any

from celery import Task, signals

from services.notifier import reminders
from services.notifier.database import runtime
from services.notifier.delivery import claims, inline, ledger, sending
from services.notifier.handlers import HANDLERS
from shared.celery_app import make_celery
from shared.events import consume_task_name

celery_app = make_celery("notifier", queues=("notifier", ledger.MAIL_QUEUE))
celery_app.conf.task_routes = {ledger.SEND_TASK: {"queue": ledger.MAIL_QUEUE}}
consumer = runtime.consumer(HANDLERS)


def _serves_mail() -> bool:
    """Tell whether this worker consumes the `mail` queue too (`-Q` picks a worker's queues)."""
    return ledger.MAIL_QUEUE in celery_app.amqp.queues.consume_from


@celery_app.task(name=consume_task_name("notifier"), bind=True, max_retries=None)
def consume_event(self: Task, payload: dict[str, Any]) -> str:
    """Apply one scheduler event once; its messages are sent inline, by this task right after
    the commit, when this worker serves the `mail` queue too (else by the `mail` queue)."""
    with inline.sending_inline(runtime.engine(), enabled=_serves_mail()) as take_session:
        return consumer.consume(self, payload, on_session=take_session)


@signals.worker_init.connect
def _create_schema(**_: Any) -> None:
    runtime.migrate()
    # Forked pool processes must open their own database connections.
    runtime.engine().dispose()


@signals.celeryd_after_setup.connect
def _take_back_deliveries(sender: str, **_: Any) -> None:
    # The main process, logging set up, before the pool starts: this run has claimed nothing yet.
    claims.name_sender(sender)
    with runtime.engine().connect() as connection:
        claims.take_back(connection, sender)
    runtime.engine().dispose()


@signals.worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    runtime.engine().dispose(close=False)


@celery_app.task(name=ledger.SEND_TASK, ignore_result=True, acks_late=True)
def send_delivery(ids: list[int]) -> dict[str, int]:
    """Send these ledger rows (and other due rows while there are some) over one connection."""
    report = sending.send_deliveries(runtime.engine(), [int(i) for i in ids])
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@celery_app.task(name="notifier.retry_deliveries", ignore_result=True)
def retry_due_deliveries() -> int:
    """Re-enqueue ledger rows whose backoff is over or whose sender died."""
    return ledger.retry_deliveries(runtime.engine())


@celery_app.task(name="notifier.send_due_reminders", ignore_result=True)
def send_reminders() -> int:
    """Queue the reminders now due."""
    return reminders.send_due_reminders(runtime.engine())


@celery_app.task(name="notifier.purge_expired", ignore_result=True)
def purge_expired() -> int:
    """Delete bus rows and trim sent messages past their retention periods."""
    return runtime.purge_expired()
