"""The scheduler API: educators, facilitators, registrations, rosters and assignments."""

import anyio.to_thread
from fastapi import FastAPI

from services.scheduler.assignments import api as assignments_api
from services.scheduler.attendance import api as attendance_api
from services.scheduler.credits import api as credits_api
from services.scheduler.credits import badge_api
from services.scheduler.credits.sweep import SWEEP
from services.scheduler.database import revocations, runtime
from services.scheduler.people import api as people_api
from services.scheduler.registrations import api as registrations_api
from shared.audit_api import audit_router
from shared.dead_events import dead_events_router
from shared.logs import configure_logging
from shared.settings import get_settings
from shared.web import create_service_app

DESCRIPTION = (
    "Seats, waitlists and facilitators for published offerings. Registration decisions are "
    "made under the offering's row lock; the waitlist is strict FIFO."
)


# Requests are short and CPU-bound in this process: a dozen threads keep the database busy while
# fewer threads contend for the interpreter, and each holds at most one of the pooled connections
# (30 on PostgreSQL, 15 on SQLite), so no request ever waits for a connection.
REQUEST_THREADS = 12


def _limit_request_threads() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS


def _configure_logging() -> None:
    settings = get_settings()
    configure_logging(
        "scheduler", level=settings.cohort_log_level, as_json=settings.cohort_log_json
    )


def create_app() -> FastAPI:
    """Build the scheduler's FastAPI app."""
    return create_service_app(
        service="scheduler",
        title="Cohort scheduler",
        description=DESCRIPTION,
        engine=runtime.engine,
        routers=[
            people_api.router,
            registrations_api.router,
            assignments_api.router,
            attendance_api.router,
            credits_api.router,
            badge_api.router,
            dead_events_router(runtime),
            audit_router(runtime),
        ],
        on_startup=[
            _configure_logging,
            _limit_request_threads,
            runtime.migrate,
            revocations.start,
            runtime.start_relay,
            SWEEP.start,
        ],
        on_shutdown=[SWEEP.stop, runtime.stop_relay, revocations.stop],
        refuse=[revocations.covers],
        on_scrape=[runtime.observe_metrics],
    )


app = create_app()
