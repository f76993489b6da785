"""The processes exactly as docker-compose.yml lists them (hosts and ports mapped to loopback)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.processes import architecture
from tests.e2e.actors import World, calendars_to, meeting_body, next_weekday_at
from tests.e2e.harness import ADMIN_TOKEN, SECRET_KEY, Stack, free_ports, infrastructure, run_stack
from tests.support.processes import BIN, ROOT

pytestmark = pytest.mark.e2e
# The compose file's application services are the architecture's processes, by name.
APP_SERVICES = tuple(service.name for service in architecture())
PORT_OF = {"8001": "registry", "8002": "scheduler", "8003": "notifier"}
HOSTS = {"mailpit": "127.0.0.1", "postgres": "127.0.0.1", "redis": "127.0.0.1"}


def compose_services() -> dict[str, Any]:
    """The services of docker-compose.yml, with YAML anchors merged."""
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services


def local_command(command: list[str], ports: dict[str, int], tmp: Path) -> list[str]:
    """The compose command with executables from this venv, loopback host and free ports."""
    argv = [str(BIN / command[0]), *command[1:]]
    for index in range(1, len(argv)):
        arg = argv[index]
        if arg == "0.0.0.0":
            argv[index] = "127.0.0.1"
        elif arg in PORT_OF and argv[index - 1] == "--port":
            argv[index] = str(ports[PORT_OF[arg]])
        elif argv[index - 1] == "--schedule":
            argv[index] = str(tmp / Path(arg).name)
    return argv


def write_secrets(folder: Path, names: set[str], values: dict[str, str]) -> None:
    """What docker-compose would mount under /run/secrets, one file per secret."""
    folder.mkdir()
    for name in names:
        (folder / name).write_text(values[name])


@pytest.fixture(scope="module")
def compose_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("compose")
    services = compose_services()
    with infrastructure() as (databases, redis_url, sink):
        ports = free_ports()
        secret_values = {
            "cohort_admin_token": ADMIN_TOKEN,
            "cohort_secret_key": SECRET_KEY,
            "cohort_redis_url": redis_url,
            **{f"{name}_database_url": url for name, url in databases.items()},
        }
        secret_names = {name for svc in APP_SERVICES for name in services[svc].get("secrets", [])}
        write_secrets(tmp / "secrets", secret_names, secret_values)
        environment = {k: HOSTS.get(v, v) for k, v in services["registry"]["environment"].items()}
        for svc in APP_SERVICES:
            assert {
                k: HOSTS.get(v, v) for k, v in services[svc]["environment"].items()
            } == environment
        env = {
            **environment,
            "COHORT_SMTP_PORT": str(sink.port),
            "COHORT_SECRETS_DIR": str(tmp / "secrets"),
        }
        commands = {
            svc: local_command(services[svc]["command"], ports, tmp) for svc in APP_SERVICES
        }
        with run_stack(commands, env, ports, sink, tmp) as running:
            yield running


def test_compose_processes_run_and_deliver_an_invite(compose_stack: Stack) -> None:
    assert compose_stack.processes["registry"].env["COHORT_ENV"] == "production"
    world = World.create(compose_stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(24, 9))])
    educator = world.educator()
    assert world.register(educator, offering)["status"] == "confirmed"
    compose_stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
