"""Prometheus metrics shared by every service."""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "cohort_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
REQUEST_LATENCY = Histogram(
    "cohort_http_request_seconds", "HTTP request latency", ["service", "route"]
)
OUTBOX_BACKLOG = Gauge("cohort_outbox_backlog", "Events committed but not yet sent", ["service"])
QUEUE_DEPTH = Gauge("cohort_queue_depth", "Messages waiting in a Redis queue", ["queue"])
DELIVERIES = Gauge("cohort_deliveries", "Outgoing messages by status", ["status"])
