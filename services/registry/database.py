"""The registry's database, outbox and relay, and its revocation list."""

from pathlib import Path

from sqlalchemy.engine import Engine

# The offering tables must be on the metadata wherever the runtime migrates or compares it.
from services.registry import models_offering  # noqa: F401
from services.registry.models import RegistryTable
from shared.revocations import RevocationList
from shared.runtime import ServiceRuntime


def _engine() -> Engine:
    return runtime.engine()


revocations = RevocationList(RegistryTable.metadata, engine=_engine)
runtime = ServiceRuntime(
    service="registry",
    metadata=RegistryTable.metadata,
    database_setting="registry_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[revocations.purge_expired],
)
