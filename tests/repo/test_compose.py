"""docker-compose.yml is checked by parsing it: real modules, real settings, safe infrastructure,
each container only its own secrets, and nothing published but the proxy."""

import importlib
import re
from typing import Any

import pytest

from shared.settings import Settings
from tests.support.compose import ROOT, environment, load

COMPOSE = load()
DEV = load("compose.dev.yml")
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = [
    "accounts-api",
    "registry",
    "registry-worker",
    "scheduler-api",
    "scheduler-worker",
    "notifier-api",
    "notifier-worker",
    "beat",
    "portal",
]
SECRET_WORDS = re.compile(r"PASSWORD|TOKEN|SECRET|DATABASE_URL|REDIS_URL", re.IGNORECASE)
DATABASES = ("accounts", "registry", "scheduler", "notifier")
# What each container may read: nothing it does not use. Only accounts signs and holds the
# bootstrap token; the other APIs verify with its public keys.
OWN_SECRETS = {
    "accounts-api": {"cohort_admin_token", "cohort_secret_key", "cohort_redis_url"}
    | {"accounts_database_url"},
    "registry": {"cohort_redis_url", "registry_database_url"},
    "scheduler-api": {"cohort_redis_url", "scheduler_database_url"},
    "registry-worker": {"cohort_redis_url", "registry_database_url"},
    "scheduler-worker": {"cohort_redis_url", "scheduler_database_url"},
    "notifier-api": {"cohort_redis_url", "notifier_database_url"},
    "notifier-worker": {"cohort_redis_url", "notifier_database_url"},
    "beat": {"cohort_redis_url"},
    # The portal keeps sessions in Redis and holds no key: accounts mints every token.
    "portal": {"cohort_redis_url"},
    "migrate": {f"{s}_database_url" for s in DATABASES},
    "postgres": {f"{s}_db_password" for s in DATABASES} | {"postgres_password"},
    "redis": {"redis_password"},
    "caddy": set(),
}
PRODUCTION_ENV = {"COHORT_SMTP_HOST": "smtp.example.org", "COHORT_DOMAIN": "cohort.example.org"}


def _app_target(command: list[str]) -> str:
    if command[0] == "uvicorn":
        return command[1]
    if command[:3] == ["python", "-m", "services.migrate"]:
        return "services.migrate:main"
    assert command[0] == "celery" and command[1] == "-A"
    return command[2]


def test_every_process_of_the_architecture_is_there() -> None:
    assert set(SERVICES) == {"postgres", "redis", "migrate", "caddy", *APP_SERVICES}
    assert "mailpit" in DEV["services"]


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_command_refers_to_a_real_module_and_object(name: str) -> None:
    module_name, _, attribute = _app_target(SERVICES[name]["command"]).partition(":")
    module = importlib.import_module(module_name)
    assert hasattr(module, attribute), f"{module_name} has no {attribute}"


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_every_environment_name_and_secret_is_a_real_setting(name: str) -> None:
    service = SERVICES[name]
    names = [*service.get("environment", {}), *service.get("secrets", [])]
    assert names
    for env_name in names:
        assert env_name.lower() in Settings.model_fields, f"{name}: {env_name} is not a setting"
    assert environment(service, PRODUCTION_ENV)["COHORT_ENV"] == "production"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_container_gets_only_its_own_secrets(name: str) -> None:
    assert set(SERVICES[name].get("secrets", [])) == OWN_SECRETS[name]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_secret_in_plain_environment(name: str) -> None:
    env = SERVICES[name].get("environment", {})
    leaked = [key for key in env if SECRET_WORDS.search(key) and not key.endswith("_FILE")]
    assert leaked == []


def test_only_the_proxy_publishes_ports() -> None:
    published = {name: s["ports"] for name, s in SERVICES.items() if "ports" in s}
    assert published == {"caddy": ["80:80", "443:443"]}
    for name, service in DEV["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_production_settings_must_be_given() -> None:
    with pytest.raises(KeyError, match="COHORT_SMTP_HOST"):
        environment(SERVICES["registry"], {})
    with pytest.raises(KeyError, match="COHORT_DOMAIN"):
        environment(SERVICES["caddy"], {})


@pytest.mark.parametrize("name", sorted(set(SERVICES) - {"migrate"}))
def test_long_running_services_have_health_restarts_and_wait_for_health(name: str) -> None:
    service = SERVICES[name]
    assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert service["restart"] == "unless-stopped"
    for dependency, rule in service.get("depends_on", {}).items():
        assert dependency in SERVICES
        expected = (
            "service_completed_successfully" if dependency == "migrate" else "service_healthy"
        )
        assert rule["condition"] == expected, f"{name} → {dependency}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_after_the_migrations(name: str) -> None:
    depends = SERVICES[name]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["redis"]["condition"] == "service_healthy"


def test_migrate_runs_once_after_postgres() -> None:
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_data_lives_in_volumes() -> None:
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "caddydata", "caddyconfig"}
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert "redisdata:/data" in SERVICES["redis"]["volumes"]


def test_redis_is_durable_private_and_protected() -> None:
    redis = SERVICES["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command
    assert "--requirepass" in command
    assert "ports" not in redis


def test_the_proxy_routes_each_api_to_its_service_and_port() -> None:
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    for name, prefix in (
        ("accounts-api", "/accounts"),
        ("registry", "/registry"),
        ("scheduler-api", "/scheduler"),
        ("notifier-api", "/notifier"),
    ):
        command = SERVICES[name]["command"]
        port = command[command.index("--port") + 1]
        assert f"handle_path {prefix}/* {{\n\t\treverse_proxy {name}:{port}\n" in caddyfile
        assert command[command.index("--root-path") + 1] == prefix
    assert "{$COHORT_DOMAIN}" in caddyfile


def test_the_proxy_sends_every_other_path_to_the_portal() -> None:
    caddyfile = (ROOT / "deploy/Caddyfile").read_text()
    command = SERVICES["portal"]["command"]
    port = command[command.index("--port") + 1]
    assert f"handle {{\n\t\treverse_proxy portal:{port}\n" in caddyfile
    assert "--root-path" not in command


def test_mailed_links_open_the_portal_at_the_public_domain() -> None:
    for name in ("accounts-api", "notifier-worker", "portal"):
        env = environment(SERVICES[name], PRODUCTION_ENV)
        assert env["COHORT_PORTAL_URL"] == "https://cohort.example.org", name


def test_declared_secrets_cover_what_services_use() -> None:
    declared = set(COMPOSE["secrets"])
    for name, service in SERVICES.items():
        assert set(service.get("secrets", [])) <= declared, name
