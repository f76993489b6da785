"""Helpers for notifier tests: scheduler events with unique ids, publishing, reading mail."""

import itertools
import os
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icalendar import Calendar

from shared.bus import Publisher
from shared.events import Cohort, Envelope, Event, Meeting, Recipient, Venue, wrap
from shared.settings import get_settings
from tests.support.processes import Process, celery_worker
from tests.support.smtp import Received, SmtpSink

if TYPE_CHECKING:
    from sqlmodel import Session

_ids = itertools.count(random.randint(10_000, 90_000) * 1000)
NOTIFIER_APP = "services.notifier.tasks:celery_app"
FAST_MAIL_ENV = {
    "COHORT_MAIL_LEASE_SECONDS": "3",
    "COHORT_MAIL_RETRY_BASE": "0.3",
    "COHORT_MAIL_REDISPATCH_AFTER": "1",
    "COHORT_SMTP_TIMEOUT": "3",
}


def new_id() -> int:
    """An id no other test of this session uses."""
    return next(_ids)


def meeting_at(start: datetime, zone: str = "America/New_York", hours: float = 2) -> Meeting:
    """A meeting starting at an aware instant, expressed in `zone`."""
    from zoneinfo import ZoneInfo

    local = start.astimezone(ZoneInfo(zone))
    end = local + timedelta(hours=hours)
    return Meeting(
        id=new_id(),
        starts_at=local,
        ends_at=end.astimezone(ZoneInfo(zone)),
        starts_at_utc=local.astimezone(UTC),
        ends_at_utc=end.astimezone(UTC),
        timezone=zone,
    )


def weekly_meetings(count: int, first: datetime | None = None, zone: str = "America/New_York"):
    """`count` meetings a week apart (default: starting about 60 days from now at 14:00 UTC)."""
    start = first or (datetime.now(UTC) + timedelta(days=60)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    return [meeting_at(start + timedelta(days=7 * i), zone) for i in range(count)]


def cohort(meetings: Sequence[Meeting], **changes: object) -> Cohort:
    """An in-person cohort with the given meetings."""
    cohort_id = new_id()
    base = Cohort(
        id=cohort_id,
        index=1,
        offering_id=cohort_id + 1,
        affiliate_name="Ohio Education Association",
        program_code="classroom-management",
        program_title="Classroom Management",
        sensitive=False,
        title="Calm classrooms",
        description="Routines that keep a classroom calm.",
        format="hybrid",
        timezone="America/New_York",
        venue=Venue(name="OEA Center", address="225 E Broad St", city="Columbus", state="OH"),
        join_url="https://meet.example.org/calm",
        meetings=list(meetings),
    )
    return base.model_copy(update=changes)


def person(kind: str = "educator", name: str = "Dana Teacher") -> Recipient:
    """A recipient with a unique id and address."""
    recipient_id = new_id()
    return Recipient(
        kind=kind,
        id=recipient_id,
        name=name,
        email=f"{kind}.{recipient_id}@schools.example.org",
        timezone="America/Chicago",
    )


def publish(event: Event) -> Envelope:
    """Wrap an event as the scheduler would and put it on the bus."""
    envelope = wrap(event, producer="scheduler")
    Publisher().send(envelope)
    return envelope


def addressed_to(messages: Sequence[Received], email: str) -> list[Received]:
    """The messages whose envelope recipient is `email`."""
    return [m for m in messages if email.lower() in (r.lower() for r in m.rcpt_tos)]


def calendar_of(message: EmailMessage) -> tuple[str | None, Any]:
    """The `method=` of the text/calendar part and the parsed calendar (None, None if absent)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return str(part.get_param("method")), Calendar.from_ical(payload.decode("utf-8"))
    return None, None


def plain_text(message: EmailMessage) -> str:
    """The text/plain body."""
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def vevent_of(message: EmailMessage) -> Any:
    """The one VEVENT of an invite."""
    _, calendar = calendar_of(message)
    assert calendar is not None
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def worker_env(test_env: dict[str, str], sink: SmtpSink, **extra: str) -> dict[str, str]:
    """Environment of a notifier worker sending to `sink`."""
    return {**test_env, **FAST_MAIL_ENV, "COHORT_SMTP_PORT": str(sink.port), **extra}


def notifier_worker(env: dict[str, str], log_dir: Path, name: str = "notif", concurrency: int = 2):
    """A real notifier worker process on queues notifier and mail."""
    return celery_worker(name, NOTIFIER_APP, "notifier,mail", env, log_dir, concurrency)


@contextmanager
def started(worker: Process) -> Iterator[Process]:
    """Start a worker, wait until it is ready, stop it afterwards."""
    worker.start()
    try:
        worker.wait_for_log("ready", timeout=60)
        yield worker
    finally:
        worker.stop()


@contextmanager
def local_smtp(sink: SmtpSink) -> Iterator[None]:
    """Point this process's settings at `sink` (for sending in-process), restoring them after."""
    saved = {key: os.environ.get(key) for key in ("COHORT_SMTP_PORT", *FAST_MAIL_ENV)}
    os.environ.update({"COHORT_SMTP_PORT": str(sink.port), **FAST_MAIL_ENV})
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


@contextmanager
def in_process_sink() -> Iterator[SmtpSink]:
    """A migrated notifier database and an SMTP sink this process's own sending reaches."""
    from services.notifier.database import runtime
    from services.notifier.delivery.mailer import close_pooled_mailer

    runtime.migrate()
    # The process's pooled SMTP connection is opened with the settings of its time.
    close_pooled_mailer()
    try:
        with SmtpSink() as server, local_smtp(server):
            yield server
    finally:
        close_pooled_mailer()


def apply(
    event: Event, times: int = 1, *, on_session: "Callable[[Session], None] | None" = None
) -> None:
    """Run the notifier's handler for `event` as its consumer does (one transaction each);
    `on_session` sees each session first, as the consumer's hook does."""
    from sqlmodel import Session

    from services.notifier.database import runtime
    from services.notifier.handlers import HANDLERS

    for _ in range(times):
        with Session(runtime.engine(), expire_on_commit=False) as session:
            if on_session is not None:
                on_session(session)
            HANDLERS[event.TYPE](session, event)
            session.commit()


def forget_deliveries(email: str) -> None:
    """Delete a test recipient's ledger rows so no later worker sends them."""
    from sqlalchemy import delete
    from sqlmodel import col

    from services.notifier.database import runtime
    from services.notifier.models import Delivery

    with runtime.engine().begin() as connection:
        connection.execute(delete(Delivery).where(col(Delivery.recipient) == email.lower()))
