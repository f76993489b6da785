"""The one Celery beat: periodic tasks, sent by name to the queue of the service that runs them."""

from typing import Any

from celery import Celery

from shared.celery_app import make_celery
from shared.settings import Settings, get_settings


def periodic_tasks(settings: Settings) -> dict[str, dict[str, Any]]:
    """What beat sends, how often, and to which queue (each expires before its next turn)."""
    reminders = settings.cohort_reminder_sweep_seconds
    deliveries = settings.cohort_delivery_sweep_seconds
    retention = settings.cohort_retention_sweep_seconds
    return {
        "notifier-due-reminders": {
            "task": "notifier.send_due_reminders",
            "schedule": reminders,
            "options": {"queue": "notifier", "expires": max(1.0, reminders * 0.9)},
        },
        "notifier-retry-deliveries": {
            "task": "notifier.retry_deliveries",
            "schedule": deliveries,
            "options": {"queue": "notifier", "expires": max(1.0, deliveries * 0.9)},
        },
        "notifier-purge-expired": {
            "task": "notifier.purge_expired",
            "schedule": retention,
            "options": {"queue": "notifier", "expires": max(1.0, retention * 0.9)},
        },
    }


app: Celery = make_celery("cohort-beat", beat_schedule=periodic_tasks(get_settings()))
