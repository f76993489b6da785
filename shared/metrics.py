"""Prometheus metrics shared by every service."""

from prometheus_client import Counter, Gauge, Histogram

from shared.broker import redis_for
from shared.events import SUBSCRIPTIONS

REQUESTS = Counter(
    "cohort_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
REQUEST_LATENCY = Histogram(
    "cohort_http_request_seconds", "HTTP request latency", ["service", "route"]
)
OUTBOX_BACKLOG = Gauge("cohort_outbox_backlog", "Events committed but not yet sent", ["service"])
OUTBOX_UNCONFIRMED = Gauge(
    "cohort_outbox_unconfirmed",
    "Events sent but not yet confirmed processed by every consumer, past the confirmation delay",
    ["service"],
)
DEAD_EVENTS = Gauge(
    "cohort_dead_events", "Events a consumer parked as dead (GET /dead-events)", ["service"]
)
EVENTS_RETRYING = Gauge(
    "cohort_events_retrying", "Events a consumer is retrying after a passing failure", ["service"]
)
QUEUE_DEPTH = Gauge("cohort_queue_depth", "Messages waiting in a Redis queue", ["queue"])
DELIVERIES = Gauge("cohort_deliveries", "Outgoing messages by status", ["status"])

QUEUES = (*sorted({queue for queues in SUBSCRIPTIONS.values() for queue in queues}), "mail")


def observe_queue_depths(redis_url: str) -> None:
    """Set the queue-depth gauge from Redis (Celery keeps each queue as a list)."""
    client = redis_for(redis_url)
    pipe = client.pipeline()
    for queue in QUEUES:
        pipe.llen(queue)
    for queue, depth in zip(QUEUES, pipe.execute(), strict=True):
        QUEUE_DEPTH.labels(queue).set(depth)
