"""The one Celery beat: periodic tasks, sent by name to the queue of the service that runs them."""

from celery import Celery

from shared.celery_app import make_celery

PERIODIC_TASKS = {
    "notifier-due-reminders": {
        "task": "notifier.send_due_reminders",
        "schedule": 60.0,
        "options": {"queue": "notifier", "expires": 55},
    },
    "notifier-retry-deliveries": {
        "task": "notifier.retry_deliveries",
        "schedule": 30.0,
        "options": {"queue": "notifier", "expires": 25},
    },
}

app: Celery = make_celery("cohort-beat", beat_schedule=PERIODIC_TASKS)
