"""The accounts service's database, outbox and relay."""

from pathlib import Path

from services.accounts.models import AccountsTable
from shared.runtime import ServiceRuntime

runtime = ServiceRuntime(
    service="accounts",
    metadata=AccountsTable.metadata,
    database_setting="accounts_database_url",
    migrations=Path(__file__).parent / "migrations",
)
