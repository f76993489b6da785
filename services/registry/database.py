"""The registry's database, outbox and relay."""

from services.registry.models import RegistryTable
from shared.runtime import ServiceRuntime

runtime = ServiceRuntime(
    service="registry", metadata=RegistryTable.metadata, database_setting="registry_database_url"
)
