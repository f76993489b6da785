"""Redis killed and restarted empty in the middle of a burst of registrations loses no invite."""

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.actors import (
    World,
    invite_uids,
    invites_sent_twice,
    meeting_body,
    next_weekday_at,
    register_until_answered,
    wait_until_invited,
)
from tests.e2e.harness import (
    Stack,
    architecture_commands,
    base_environment,
    free_ports,
    run_stack,
)
from tests.support.infra import fresh_databases
from tests.support.processes import Process, free_port
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e
EDUCATORS = 24
MEETINGS = 2


def _redis_server(port: int, log_dir: Path) -> Process:
    # No persistence at all: a restart comes back empty, as many managed and dev setups do.
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    return Process(f"redis-{port}", [*argv, "--appendonly", "no"], {}, log_dir)


def _wait_for_redis(port: int) -> None:
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if redis.Redis(port=port).ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")


def _stop_all(servers: list[Process]) -> None:
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def lossy(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Stack, list[Process], int]]:
    """The whole stack on a Redis of its own that the test may kill (and start again)."""
    log_dir = tmp_path_factory.mktemp("redis-loss")
    port = free_port()
    servers = [_redis_server(port, log_dir).start()]
    with ExitStack() as stack:
        stack.callback(_stop_all, servers)
        _wait_for_redis(port)
        databases = stack.enter_context(fresh_databases("redisloss"))
        sink = stack.enter_context(SmtpSink())
        env = {
            **base_environment(databases, f"redis://127.0.0.1:{port}/0", sink),
            "COHORT_OUTBOX_CONFIRM_AFTER": "3",
            "COHORT_OUTBOX_RESEND_MAX": "6",
            "COHORT_MAIL_REDISPATCH_AFTER": "5",
        }
        ports = free_ports()
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        yield stack.enter_context(run_stack(commands, env, ports, sink, log_dir)), servers, port


def test_every_registration_gets_its_invites_when_redis_restarts_empty(
    lossy: tuple[Stack, list[Process], int], tmp_path: Path
) -> None:
    stack, servers, port = lossy
    world = World.create(stack)
    starts = [next_weekday_at(20 + 7 * week, 9) for week in range(MEETINGS)]
    offering = world.publish_offering([meeting_body(start) for start in starts], capacity=30)
    educators = [world.educator(f"Educator {n}") for n in range(EDUCATORS)]
    answered: list[int] = []

    def burst() -> None:
        for educator in educators:
            answered.append(register_until_answered(world, educator, offering))
            time.sleep(0.05)

    worker = threading.Thread(target=burst)
    worker.start()
    while len(answered) < EDUCATORS // 3:
        time.sleep(0.02)
    servers[-1].kill()  # SIGKILL: whatever Redis held is gone
    time.sleep(1.0)
    servers.append(_redis_server(port, tmp_path).start())
    _wait_for_redis(port)
    worker.join(90)
    assert len(answered) == EDUCATORS

    wait_until_invited(stack, [e["email"] for e in educators], MEETINGS, timeout=120)
    time.sleep(3)  # room for late duplicates to show
    sent_twice = invites_sent_twice(stack.sink.messages, [e["email"] for e in educators])
    # Only messages handed to SMTP but not yet recorded as sent when Redis died may go twice.
    assert sent_twice <= 4, sent_twice
    facilitator = invite_uids(stack.sink.messages, world.facilitator_email)
    assert len(facilitator) == MEETINGS
