"""One factory for every Celery app, with the delivery settings ARCHITECTURE.md requires."""

from typing import Any

from celery import Celery, signals
from kombu import Queue

from shared.logs import configure_logging
from shared.settings import Settings, get_settings


def make_celery(
    name: str,
    *,
    queues: tuple[str, ...] = (),
    include: tuple[str, ...] = (),
    settings: Settings | None = None,
    beat_schedule: dict[str, Any] | None = None,
) -> Celery:
    """Build a Celery app: JSON only, late acks, no loss on worker death, prefetch 1."""
    settings = settings or get_settings()
    app = Celery(name, broker=settings.cohort_redis_url, include=list(include))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_transport="shared.redis_transport:Transport",
        broker_transport_options={
            "visibility_timeout": settings.cohort_visibility_timeout,
            "socket_timeout": 10,
            # Look for messages a killed worker left unacknowledged every 10 s (kombu's default
            # is ~100 s), so work in flight at a crash returns soon after the visibility timeout.
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
            # The restore lock a SIGKILLed worker held would otherwise block restores for 300 s.
            "unacked_mutex_expire": 15,
        },
        broker_pool_limit=20,
        task_queues=[Queue(queue) for queue in queues],
        task_default_queue=queues[0] if queues else name,
        timezone="UTC",
        enable_utc=True,
        beat_schedule=beat_schedule or {},
    )
    _log_like_the_services(name)
    return app


def _log_like_the_services(name: str) -> None:
    # Connecting setup_logging stops Celery from installing its own handlers: logs stay JSON.
    @signals.setup_logging.connect(weak=False)
    def _configure(**_: Any) -> None:
        settings = get_settings()
        configure_logging(name, level=settings.cohort_log_level, as_json=settings.cohort_log_json)


def publisher_app(settings: Settings | None = None) -> Celery:
    """A Celery app used only to send tasks by name (no tasks of its own)."""
    return make_celery("cohort-publisher", settings=settings)
