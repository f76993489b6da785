"""The processes exactly as docker-compose.yml lists them (hosts and ports mapped to loopback)."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.processes import architecture
from devstack.stack import api_locations
from tests.e2e.actors import World, calendars_to, meeting_body, next_weekday_at
from tests.e2e.harness import ADMIN_TOKEN, SECRET_KEY, Stack, free_ports, infrastructure, run_stack
from tests.support import compose
from tests.support.processes import BIN

pytestmark = pytest.mark.e2e
# The compose file's application services are the architecture's processes, by name.
APP_SERVICES = tuple(service.name for service in architecture())
PORT_OF = {
    "8000": "portal",
    "8001": "registry",
    "8002": "scheduler",
    "8003": "notifier",
    "8004": "accounts",
}


def compose_services() -> dict[str, Any]:
    """The services of docker-compose.yml, with YAML anchors merged."""
    services: dict[str, Any] = compose.load()["services"]
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


def mount_secrets(folder: Path, names: list[str], values: dict[str, str]) -> Path:
    """What docker-compose mounts under /run/secrets for one container: its secrets only."""
    folder.mkdir()
    for name in names:
        (folder / name).write_text(values[name])
    return folder


def run_migrate(service: dict[str, Any], env: dict[str, str], tmp: Path) -> None:
    """The one-shot migrate service, which must exit 0 before anything else starts."""
    done = subprocess.run(
        local_command(service["command"], {}, tmp), env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("→") == 4, done.stdout


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
        operator_env = {
            "COHORT_SMTP_HOST": "127.0.0.1",
            "COHORT_SMTP_PORT": str(sink.port),
            "COHORT_SMTP_STARTTLS": "false",
            "COHORT_DOMAIN": "cohort.example.org",
        }
        own_env = {
            svc: {
                **compose.environment(services[svc], operator_env),
                "COHORT_SECRETS_DIR": str(
                    mount_secrets(tmp / f"secrets-{svc}", services[svc]["secrets"], secret_values)
                ),
            }
            for svc in (*APP_SERVICES, "migrate")
        }
        # The compose file's host names are the loopback ports here.
        for svc_env in own_env.values():
            for name, url in api_locations(ports).items():
                if name in svc_env:
                    svc_env[name] = url
        run_migrate(services["migrate"], {"PATH": os.environ["PATH"], **own_env["migrate"]}, tmp)
        commands = {
            svc: local_command(services[svc]["command"], ports, tmp) for svc in APP_SERVICES
        }
        env = {"PATH": os.environ["PATH"]}
        with run_stack(commands, env, ports, sink, tmp, own_env=own_env) as running:
            yield running


def test_compose_processes_run_and_deliver_an_invite(compose_stack: Stack) -> None:
    assert compose_stack.processes["registry"].env["COHORT_ENV"] == "production"
    world = World.create(compose_stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(24, 9))])
    # Production trusts no test key: the educator signs in by the mailed link.
    educator = world.signed_in_educator()
    assert world.register(educator, offering)["status"] == "confirmed"
    compose_stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
