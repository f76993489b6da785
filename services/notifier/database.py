"""The notifier's database: engine, sessions, schema and the consumer of scheduler events."""

from pathlib import Path

from services.notifier.models import NotifierTable
from services.notifier.retention import trim_sent_messages
from shared.runtime import ServiceRuntime

runtime = ServiceRuntime(
    service="notifier",
    metadata=NotifierTable.metadata,
    database_setting="notifier_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[trim_sent_messages],
)
