"""The accounts service's database, outbox and relay, and its retention."""

from pathlib import Path

from services.accounts.models import AccountsTable
from services.accounts.retention import forget_spent_credentials
from shared.runtime import ServiceRuntime

runtime = ServiceRuntime(
    service="accounts",
    metadata=AccountsTable.metadata,
    database_setting="accounts_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[forget_spent_credentials],
)
