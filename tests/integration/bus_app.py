"""A tiny service used to test the event bus end to end with a real worker, Redis and PostgreSQL."""

import os
import time
from collections.abc import Sequence

from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from shared.bus import Publisher
from shared.celery_app import make_celery
from shared.consumer import Consumer, register_consumer
from shared.db import engine_for
from shared.events import Envelope, Event, OfferingPublished
from shared.outbox import Outbox, define_bus_tables
from shared.settings import get_settings

SERVICE = os.environ.get("BUS_TEST_SERVICE", "bustest")
SUBSCRIPTIONS = {"offering.published": (SERVICE,)}
POISON_TITLE = "poison"
FLAKY_TITLE = "flaky"

metadata = MetaData()
applied = Table(
    "applied",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("offering_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
)
tables = define_bus_tables(metadata)


def engine() -> Engine:
    """The bus test database."""
    return engine_for(os.environ["BUS_TEST_DATABASE_URL"])


def outbox() -> Outbox:
    """An outbox publishing to the test service's queue."""
    return Outbox(
        service="bustest-producer", tables=tables, publisher=Publisher(subscriptions=SUBSCRIPTIONS)
    )


def apply_offering(session: Session, event: Event) -> None:
    """Record the offering; a poison offering always fails."""
    assert isinstance(event, OfferingPublished)
    if event.offering.title == POISON_TITLE:
        raise RuntimeError("this event can never be applied")
    if event.offering.title == FLAKY_TITLE and os.path.exists(os.environ["BUS_TEST_OUTAGE_FLAG"]):
        raise OperationalError("SELECT 1", None, ConnectionError("the database restarts"))
    delay = float(os.environ.get("BUS_TEST_HANDLER_DELAY", "0"))
    if delay:
        time.sleep(delay)
    session.execute(
        insert(applied).values(offering_id=event.offering.id, title=event.offering.title)
    )


celery_app = make_celery(SERVICE, queues=(SERVICE,))
consumer = Consumer(
    service=SERVICE,
    tables=tables,
    engine=engine,
    handlers={"offering.published": apply_offering},
    redis_url=get_settings().cohort_redis_url,
    max_deliveries=get_settings().cohort_max_deliveries,
)
consume_event = register_consumer(celery_app, consumer)


class _DieOnSend(Publisher):
    def send(self, envelope: Envelope, services: Sequence[str] | None = None) -> None:
        os.kill(os.getpid(), 9)


def commit_then_die(offering_id: int) -> None:
    """Commit an event, then get killed in the instant before it is sent (the crash path)."""
    from tests.support.factories import offering

    dying = Outbox(
        service="bustest-producer", tables=tables, publisher=_DieOnSend(subscriptions=SUBSCRIPTIONS)
    )
    with Session(engine()) as session:
        dying.record(session, OfferingPublished(offering=offering(offering_id)))
        session.commit()
