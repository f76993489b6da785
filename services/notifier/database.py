"""The notifier's database: engine, sessions, schema, the consumer of scheduler events and the
revocation list."""

from pathlib import Path

from sqlalchemy.engine import Engine

from services.notifier.models import NotifierTable
from services.notifier.retention import trim_sent_messages
from shared.revocations import RevocationList
from shared.runtime import ServiceRuntime


def _engine() -> Engine:
    return runtime.engine()


revocations = RevocationList(NotifierTable.metadata, engine=_engine)
runtime = ServiceRuntime(
    service="notifier",
    metadata=NotifierTable.metadata,
    database_setting="notifier_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[trim_sent_messages, revocations.purge_expired],
)
