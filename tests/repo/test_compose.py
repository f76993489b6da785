"""docker-compose.yml is checked by parsing it: real modules, real settings, safe infrastructure."""

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = [
    "registry",
    "scheduler-api",
    "scheduler-worker",
    "notifier-api",
    "notifier-worker",
    "beat",
]
SECRET_WORDS = re.compile(r"PASSWORD|TOKEN|SECRET|DATABASE_URL|REDIS_URL", re.IGNORECASE)


def _app_target(command: list[str]) -> str:
    if command[0] == "uvicorn":
        return command[1]
    assert command[0] == "celery" and command[1] == "-A"
    return command[2]


def test_every_process_of_the_architecture_is_there() -> None:
    expected = {"postgres", "redis", "mailpit", *APP_SERVICES}
    assert set(SERVICES) == expected


@pytest.mark.parametrize("name", APP_SERVICES)
def test_command_refers_to_a_real_module_and_object(name: str) -> None:
    module_name, _, attribute = _app_target(SERVICES[name]["command"]).partition(":")
    module = importlib.import_module(module_name)
    assert hasattr(module, attribute), f"{module_name} has no {attribute}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_environment_name_and_secret_is_a_real_setting(name: str) -> None:
    service = SERVICES[name]
    names = [*service.get("environment", {}), *service.get("secrets", [])]
    assert names
    for env_name in names:
        assert env_name.lower() in Settings.model_fields, f"{name}: {env_name} is not a setting"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_secret_in_plain_environment(name: str) -> None:
    environment = SERVICES[name].get("environment", {})
    leaked = [key for key in environment if SECRET_WORDS.search(key) and not key.endswith("_FILE")]
    assert leaked == []


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(name: str) -> None:
    service = SERVICES[name]
    assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for dependency, rule in service.get("depends_on", {}).items():
        assert dependency in SERVICES
        assert rule["condition"] in ("service_healthy", "service_started")
    if name in ("registry", "scheduler-api", "notifier-api"):
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_redis_is_durable_private_and_protected() -> None:
    redis = SERVICES["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command
    assert "--requirepass" in command
    assert "ports" not in redis


def test_postgres_has_one_database_per_service() -> None:
    init = (ROOT / "deploy/postgres/init-databases.sql").read_text()
    secrets_script = (ROOT / "deploy/make-secrets.sh").read_text()
    for service in ("registry", "scheduler", "notifier"):
        assert f"CREATE DATABASE cohort_{service};" in init
    assert "cohort_${svc}" in secrets_script
    assert "POSTGRES_PASSWORD_FILE" in SERVICES["postgres"]["environment"]


def test_declared_secrets_cover_what_services_use() -> None:
    declared = set(COMPOSE["secrets"])
    for name, service in SERVICES.items():
        assert set(service.get("secrets", [])) <= declared, name
