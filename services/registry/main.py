"""The registry's HTTP app: affiliates, programs and the offerings they schedule."""

from fastapi import FastAPI

from services.registry.api_affiliates import affiliates_router, programs_router
from services.registry.api_offerings import router as offerings
from services.registry.database import revocations, runtime
from shared.audit_api import audit_router
from shared.dead_events import dead_events_router
from shared.logs import configure_logging
from shared.settings import get_settings
from shared.web import create_service_app

DESCRIPTION = """
The registry holds **affiliates** (state branches of the union), the **programs** they can teach
and the **offerings** that schedule a program as one or more **meetings**.

* The operator registers affiliates and programs; an affiliate's API key is shown once.
* An affiliate creates offerings as drafts, changes them, publishes and cancels them. Every change
  is written to the offering's audit trail, and publish, change and cancel of a published offering
  are announced to the scheduler as events (`offering.published`, `offering.updated`,
  `offering.cancelled`) in the same transaction.
* Times in requests are local wall times in the offering's IANA `timezone`
  (`2027-03-10T09:00`). A time the clocks skip (daylight saving starts) is refused with 422; a time
  that happens twice (daylight saving ends) needs its offset (`2027-11-07T01:30-05:00`). Answers
  give times with their offset plus `*_utc` twins.

Authenticate with `Authorization: Bearer <token>`: an access token from the accounts service
(`POST /token`).
"""


def _start_logging() -> None:
    settings = get_settings()
    configure_logging("registry", level=settings.cohort_log_level, as_json=settings.cohort_log_json)


def create_app() -> FastAPI:
    """Build the registry app."""
    return create_service_app(
        service="registry",
        title="Cohort Registry",
        description=DESCRIPTION,
        engine=runtime.engine,
        routers=[
            affiliates_router,
            programs_router,
            offerings,
            dead_events_router(runtime),
            audit_router(runtime),
        ],
        on_startup=[_start_logging, runtime.migrate, revocations.start, runtime.start_relay],
        on_shutdown=[runtime.stop_relay, revocations.stop],
        refuse=[revocations.covers],
        on_scrape=[runtime.observe_metrics],
    )


app = create_app()
