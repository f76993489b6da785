"""The running stack for end-to-end tests: one per module, torn down afterwards."""

from collections.abc import Iterator

import pytest

from tests.e2e.harness import (
    Stack,
    architecture_commands,
    base_environment,
    free_ports,
    infrastructure,
    run_stack,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every process of ARCHITECTURE.md against PostgreSQL, Redis and an aiosmtpd sink."""
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    with infrastructure() as (databases, redis_url, sink):
        ports = free_ports()
        env = base_environment(databases, redis_url, sink)
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        with run_stack(commands, env, ports, sink, log_dir) as running:
            yield running
