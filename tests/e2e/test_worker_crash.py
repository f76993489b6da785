"""The notifier worker SIGKILLed in the middle of a batch of invites loses none of them."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from tests.e2e.actors import (
    World,
    all_invited,
    invite_uids,
    invites_sent_twice,
    last_first_invite,
    left_over,
    meeting_body,
    next_weekday_at,
    wait_until_invited,
)
from tests.e2e.harness import (
    Stack,
    architecture_commands,
    base_environment,
    free_ports,
    infrastructure,
    restart,
    run_stack,
    shipped_defaults,
    worker_concurrency,
)

pytestmark = pytest.mark.e2e
EDUCATORS = 60
MEETINGS = 2
WORKER = "notifier-worker"
# The timers a crashed worker's work comes back by, left as shipped.
RECOVERY_TIMERS = (
    "COHORT_VISIBILITY_TIMEOUT",
    "COHORT_OUTBOX_CONFIRM_AFTER",
    "COHORT_OUTBOX_RESEND_MAX",
    "COHORT_MAIL_LEASE_SECONDS",
    "COHORT_MAIL_REDISPATCH_AFTER",
    "COHORT_DELIVERY_SWEEP_SECONDS",
    "COHORT_OUTBOX_RELAY_INTERVAL",
    "COHORT_OUTBOX_RELAY_AGE",
)


@pytest.fixture(scope="module")
def crashing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, int]]:
    """The whole stack, shipped recovery timers; a mail server taking 0.1 s per message, so the
    worker is always in the middle of sending; and the notifier worker's pool size."""
    log_dir = tmp_path_factory.mktemp("worker-crash")
    with ExitStack() as stack:
        databases, redis_url, sink = stack.enter_context(infrastructure())
        sink.delay = 0.1
        env = {**base_environment(databases, redis_url, sink), **shipped_defaults(*RECOVERY_TIMERS)}
        ports = free_ports()
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        running = stack.enter_context(run_stack(commands, env, ports, sink, log_dir))
        yield running, worker_concurrency(commands[WORKER])


def test_a_worker_killed_mid_batch_sends_every_invite_after_its_restart(
    crashing: tuple[Stack, int],
) -> None:
    stack, concurrency = crashing
    world = World.create(stack, seats=EDUCATORS)
    starts = [next_weekday_at(20 + 7 * week, 9) for week in range(MEETINGS)]
    offering = world.publish_offering([meeting_body(start) for start in starts], capacity=EDUCATORS)
    educators = [world.educator(f"Educator {n}") for n in range(EDUCATORS)]
    emails = [e["email"] for e in educators]
    with ThreadPoolExecutor(4) as pool:
        statuses = pool.map(lambda e: world.register(e, offering)["status"], educators)
        stack.sink.wait_count(EDUCATORS * MEETINGS // 3, timeout=60)
        stack.processes[WORKER].kill()  # SIGKILL to the main process and its pool children
        arrived = len(stack.sink.messages)
        assert list(statuses) == ["confirmed"] * EDUCATORS
    assert not all_invited(stack.sink.messages, emails, MEETINGS), "killed after the last invite"
    restarted = time.monotonic()
    restart(stack.processes[WORKER], " ready.")
    wait_until_invited(stack, emails, MEETINGS, timeout=restarted + 120 - time.monotonic())
    took = last_first_invite(stack.sink.messages, emails) - restarted
    # Events come back by the relay's first re-send, rows the dead run held by the next sweep.
    assert took < 60, took
    time.sleep(3)  # room for late duplicates to show
    messages = stack.sink.messages
    twice = [e for e in emails if invites_sent_twice(messages, [e])]
    extra = invites_sent_twice(messages, emails)
    print(f"killed after {arrived} messages; every invite {took:.1f} s after the restart")
    print(f"{extra} invites to {len(twice)} educators sent twice")
    # Each pool process sends one event's invites at a time (prefetched events have not begun):
    # only those handed to SMTP but not yet recorded as sent when the worker died go twice.
    assert len(twice) <= concurrency, twice
    assert extra <= concurrency * MEETINGS
    assert len(invite_uids(messages, world.facilitator_email)) == MEETINGS
    left = left_over(stack)
    assert left == dict.fromkeys(left, 0), left
