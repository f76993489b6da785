"""Rendering is pure: no session, Celery, SMTP, ORM or web import, and nothing of the notifier
outside `rendering/`, so a booking or a notice becomes bytes without any of them."""

from pathlib import Path

import services.notifier.rendering as rendering
from services.notifier.models import Booking
from services.notifier.rendering import outgoing
from tests.support.imports import foreign_imports

FORBIDDEN = (
    "sqlmodel",
    "sqlalchemy",
    "celery",
    "smtplib",
    "aiosmtpd",
    "psycopg",
    "redis",
    "fastapi",
)
ROOT = Path(rendering.__file__).parent


def test_rendering_imports_no_framework_and_nothing_else_of_the_notifier() -> None:
    assert len(list(ROOT.rglob("*.py"))) >= 6  # __init__, outgoing, content, mime, ical, zones
    assert foreign_imports(ROOT, FORBIDDEN, allowed=("shared.",)) == []


def test_rendering_names_the_cancelled_booking_status_as_the_table_does() -> None:
    assert outgoing.CANCELLED_BOOKING == Booking.CANCELLED
