"""The portal's app: server-rendered pages on :8000, sessions in Redis, the APIs behind it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.portal import errors, health, home
from services.portal.affiliate import api as affiliate
from services.portal.affiliate import api_keys as affiliate_api_keys
from services.portal.affiliate import editing as affiliate_editing
from services.portal.affiliate import facilitators as affiliate_facilitators
from services.portal.affiliate import members as affiliate_members
from services.portal.affiliate import offering as affiliate_offering
from services.portal.catalogue.api import router as catalogue
from services.portal.certificates.api import router as certificates
from services.portal.check_in.api import router as check_in
from services.portal.connections import open_connections
from services.portal.facilitator import attendance as facilitator_attendance
from services.portal.facilitator import availability as facilitator_availability
from services.portal.facilitator import room as facilitator_room
from services.portal.facilitator import schedule as facilitator_schedule
from services.portal.my_trainings.api import router as my_trainings
from services.portal.offerings.api import router as offerings
from services.portal.operator import activity as operator_activity
from services.portal.operator import affiliates as operator_affiliates
from services.portal.operator import cohorts as operator_cohorts
from services.portal.operator import dashboard as operator_dashboard
from services.portal.operator import facilitators as operator_facilitators
from services.portal.operator import ledger as operator_ledger
from services.portal.operator import people as operator_people
from services.portal.operator import programs as operator_programs
from services.portal.profile.api import router as profile
from services.portal.sign_in.api import router as sign_in
from shared.logs import configure_logging
from shared.settings import get_settings
from shared.web import BodyLimitMiddleware, RequestIdMiddleware

STATIC = Path(__file__).parent / "static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open Redis and the API clients for the life of the process."""
    settings = get_settings()
    configure_logging("portal", level=settings.cohort_log_level, as_json=settings.cohort_log_json)
    app.state.connections = open_connections(settings)
    yield
    await app.state.connections.close()


def create_app() -> FastAPI:
    """Build the portal app."""
    app = FastAPI(
        title="Cohort Portal", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware, service="portal")
    errors.add_error_pages(app)
    app.include_router(health.router)
    app.include_router(catalogue)
    app.include_router(offerings)
    app.include_router(my_trainings)
    app.include_router(certificates)
    app.include_router(profile)
    app.include_router(home.router)
    app.include_router(sign_in)
    app.include_router(check_in)
    for facilitator_pages in (
        facilitator_schedule,
        facilitator_attendance,
        facilitator_room,
        facilitator_availability,
    ):
        app.include_router(facilitator_pages.router)
    for operator_pages in (
        operator_dashboard,
        operator_affiliates,
        operator_cohorts,
        operator_facilitators,
        operator_people,
        operator_programs,
        operator_ledger,
        operator_activity,
    ):
        app.include_router(operator_pages.router)
    app.include_router(affiliate.router)
    app.include_router(affiliate_editing.router)
    app.include_router(affiliate_offering.router)
    app.include_router(affiliate_members.router)
    app.include_router(affiliate_api_keys.router)
    app.include_router(affiliate_facilitators.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


app = create_app()
