"""The bare pipeline Cohort's is measured against: the same hops, and nothing else.

POST /signups inserts one row (SQLModel, PostgreSQL) and sends one Celery task (Redis); the
worker builds an iCalendar invite and a multipart MIME message and sends it with smtplib.
No outbox, no dedupe, no ledger, no auth: the floor the real pipeline can be held against.

    uvicorn bench.bare_pipeline:app
    celery -A bench.bare_pipeline:celery_app worker -Q bare --concurrency=2

Settings come from BARE_DATABASE_URL, BARE_REDIS_URL, BARE_SMTP_HOST and BARE_SMTP_PORT.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

import icalendar
from celery import Celery
from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import DateTime
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, create_engine

QUEUE = "bare"
ZONE = "America/Chicago"
DATABASE_URL = os.environ.get("BARE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/bare")
REDIS_URL = os.environ.get("BARE_REDIS_URL", "redis://127.0.0.1:6379/15")
SMTP_HOST = os.environ.get("BARE_SMTP_HOST", "127.0.0.1")
SMTP_PORT = int(os.environ.get("BARE_SMTP_PORT", "1025"))


class BareTable(SQLModel, registry=registry()):
    """Base of the bare pipeline's one table."""


class Signup(BareTable, table=True):
    """One request: who should get the invite."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )


class SignupCreate(BaseModel):
    """What the client sends."""

    email: str


@lru_cache(maxsize=1)
def engine() -> Engine:
    """The process's engine (built on first use, so forked workers never share one)."""
    url = DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_size=10, max_overflow=20)


def session() -> Iterator[Session]:
    """A session per request."""
    with Session(engine(), expire_on_commit=False) as opened:
        yield opened


SessionDep = Annotated[Session, Depends(session)]

celery_app = Celery("bare", broker=REDIS_URL)
celery_app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue=QUEUE,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    BareTable.metadata.create_all(engine())
    yield


app = FastAPI(title="bare pipeline", lifespan=_lifespan)


@app.get("/readyz")
def ready() -> dict[str, str]:
    """Answer once started."""
    return {"status": "ok"}


@app.post("/signups", status_code=201)
def create_signup(signup_in: SignupCreate, db: SessionDep) -> dict[str, int]:
    """Insert one row, commit, then send one task."""
    signup = Signup(email=signup_in.email)
    db.add(signup)
    db.commit()
    send_invite.apply_async(args=(signup.id, signup.email), queue=QUEUE)
    return {"id": signup.id or 0}


@lru_cache(maxsize=1)
def vtimezone() -> icalendar.Timezone:
    """The VTIMEZONE of the meeting's zone, built once per process."""
    return icalendar.Timezone.from_tzid(
        ZONE, first_date=date(2026, 1, 1), last_date=date(2030, 1, 1)
    )


def invite(signup_id: int, email: str) -> bytes:
    """A METHOD:REQUEST calendar with one meeting and one attendee."""
    starts = datetime(2027, 3, 10, 9, tzinfo=ZoneInfo(ZONE))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//bench//bare pipeline//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(vtimezone())
    event = icalendar.Event()
    event.add("uid", f"signup-{signup_id}@bench.test")
    event.add("sequence", 0)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(hours=3))
    event.add("summary", "Implicit Bias in the Classroom")
    event.add("organizer", icalendar.vCalAddress("mailto:noreply@bench.test"))
    event.add("attendee", icalendar.vCalAddress(f"mailto:{email}"))
    calendar.add_component(event)
    return calendar.to_ical()


def message(signup_id: int, email: str) -> EmailMessage:
    """Text, HTML and the calendar, as mail clients expect an invite."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = "Bench <noreply@bench.test>"
    mail["To"] = email
    mail["Subject"] = f"Invitation {signup_id}: Implicit Bias in the Classroom"
    mail.set_content("You are registered for Implicit Bias in the Classroom.")
    mail.add_alternative("<p>You are registered for <b>Implicit Bias</b>.</p>", subtype="html")
    mail.add_alternative(
        invite(signup_id, email).decode(), subtype="calendar", params={"method": "REQUEST"}
    )
    return mail


@celery_app.task(name="bare.send_invite")
def send_invite(signup_id: int, email: str) -> None:
    """Build the invite and send it."""
    with smtplib.SMTP(SMTP_HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(message(signup_id, email))
