"""PostgreSQL stopped for 30 s under a trickle of registrations: nothing parked, nothing lost."""

import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest

from tests.e2e.actors import (
    World,
    invite_uids,
    invites_sent_twice,
    last_first_invite,
    left_over,
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
    shipped_defaults,
    worker_concurrency,
)
from tests.support.infra import fresh_databases, private_redis_db
from tests.support.postgres import PostgresServer, own_postgres, why_not_runnable
from tests.support.processes import Process
from tests.support.smtp import SmtpSink

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(why_not_runnable() is not None, reason=str(why_not_runnable())),
]
EDUCATORS = 40
TRICKLES = 4
MEETINGS = 2
OUTAGE_SECONDS = 30
FROZEN_SECONDS = 1.5
CONSUME_RETRIED = "event failed for a passing reason; will retry"
RECORD_RETRIED = "recording sent deliveries failed; will retry"
# Timers that would hide a loss or add duplicates if shortened, left as shipped.
SHIPPED = (
    "COHORT_VISIBILITY_TIMEOUT",
    "COHORT_OUTBOX_CONFIRM_AFTER",
    "COHORT_MAIL_LEASE_SECONDS",
    "COHORT_MAIL_REDISPATCH_AFTER",
)


@pytest.fixture(scope="module")
def restartable(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Stack, PostgresServer, int]]:
    """The whole stack with its three databases on a PostgreSQL server of its own; and the
    notifier worker's pool size."""
    log_dir = tmp_path_factory.mktemp("database-restart")
    with ExitStack() as stack:
        server = stack.enter_context(own_postgres())
        databases = stack.enter_context(fresh_databases("pgrestart", server.admin_url))
        redis_url = stack.enter_context(private_redis_db())
        sink = stack.enter_context(SmtpSink())
        env = {**base_environment(databases, redis_url, sink), **shipped_defaults(*SHIPPED)}
        ports = free_ports()
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        running = stack.enter_context(run_stack(commands, env, ports, sink, log_dir))
        yield running, server, worker_concurrency(commands["notifier-worker"])


def _outage(server: PostgresServer, worker: Process) -> float:
    """Stop the server (fast) with events waiting for the notifier, keep it down, start it
    again; when it was back."""
    # Frozen for a moment, the worker lets events queue up that then meet no database.
    worker.kill(signal.SIGSTOP)
    try:
        time.sleep(FROZEN_SECONDS)
        server.stop("fast")
    finally:
        worker.kill(signal.SIGCONT)
    time.sleep(OUTAGE_SECONDS)
    server.start()
    return time.monotonic()


def _retried(stack: Stack) -> list[str]:
    """Which of the notifier's ways of trying again the outage set off."""
    log = stack.processes["notifier-worker"].log()
    return [line for line in (CONSUME_RETRIED, RECORD_RETRIED) if line in log]


def test_a_database_restart_parks_nothing_and_every_invite_goes_after_it(
    restartable: tuple[Stack, PostgresServer, int],
) -> None:
    stack, server, concurrency = restartable
    world = World.create(stack, seats=EDUCATORS)
    starts = [next_weekday_at(20 + 7 * week, 9) for week in range(MEETINGS)]
    offering = world.publish_offering([meeting_body(start) for start in starts], capacity=EDUCATORS)
    educators = [world.educator(f"Educator {n}") for n in range(EDUCATORS)]
    emails = [e["email"] for e in educators]
    answers: list[int] = []

    def trickle(share: list[dict[str, Any]]) -> list[int]:
        codes = []
        for educator in share:
            codes.append(
                register_until_answered(world, educator, offering, within=120, answers=answers)
            )
            time.sleep(1.0)
        return codes

    with ThreadPoolExecutor(TRICKLES) as pool:
        registered = [pool.submit(trickle, educators[n::TRICKLES]) for n in range(TRICKLES)]
        while len(answers) < EDUCATORS // 4:
            time.sleep(0.05)
        back = _outage(server, stack.processes["notifier-worker"])
        codes = [code for future in registered for code in future.result()]
    assert len(codes) == EDUCATORS
    statuses = Counter(answers)
    assert set(statuses) <= {200, 201, 503}, statuses
    assert statuses[503] > 0, "no request met the outage"
    wait_until_invited(stack, emails, MEETINGS, timeout=120)
    took = last_first_invite(stack.sink.messages, emails) - back
    time.sleep(3)  # room for late duplicates to show
    messages = stack.sink.messages
    extra = invites_sent_twice(messages, emails)
    print(f"answers {dict(statuses)}; retried: {_retried(stack)}")
    print(f"last invite {took:.1f} s after the database came back; {extra} invites sent twice")
    left = left_over(stack)
    assert left == dict.fromkeys(left, 0), left
    assert extra <= concurrency * MEETINGS
    assert len(invite_uids(messages, world.facilitator_email)) == MEETINGS
    assert CONSUME_RETRIED in _retried(stack), "the outage met no event being consumed"
