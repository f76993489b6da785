"""The registry's database, outbox and relay."""

from pathlib import Path

# The offering tables must be on the metadata wherever the runtime migrates or compares it.
from services.registry import models_offering  # noqa: F401
from services.registry.models import RegistryTable
from shared.runtime import ServiceRuntime

runtime = ServiceRuntime(
    service="registry",
    metadata=RegistryTable.metadata,
    database_setting="registry_database_url",
    migrations=Path(__file__).parent / "migrations",
)
