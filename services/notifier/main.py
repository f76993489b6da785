"""The notifier's HTTP app (uvicorn services.notifier.main:app, port 8003)."""

from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import Session, select

from services.notifier.api import router
from services.notifier.certificates.routes import router as certificates_router
from services.notifier.database import revocations, runtime
from services.notifier.models import Delivery
from shared.audit_api import audit_router
from shared.dead_events import dead_events_router
from shared.logs import configure_logging
from shared.metrics import DELIVERIES
from shared.settings import get_settings
from shared.web import create_service_app


def _start() -> None:
    settings = get_settings()
    configure_logging("notifier", level=settings.cohort_log_level, as_json=settings.cohort_log_json)
    runtime.migrate()


def _observe_deliveries() -> None:
    with Session(runtime.engine()) as session:
        counts = session.exec(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    for status in Delivery.STATUSES:
        DELIVERIES.labels(status).set(0)
    for status, count in counts:
        DELIVERIES.labels(status).set(count)


def create_app() -> FastAPI:
    """Build the notifier API."""
    return create_service_app(
        service="notifier",
        title="Cohort notifier",
        description="Delivery ledger of invites and notices, and live calendar feeds.",
        engine=runtime.engine,
        routers=[
            router,
            certificates_router,
            dead_events_router(runtime),
            audit_router(runtime),
        ],
        on_startup=[_start, revocations.start],
        on_shutdown=[revocations.stop],
        refuse=[revocations.covers],
        on_scrape=[runtime.observe_metrics, _observe_deliveries],
    )


app = create_app()
