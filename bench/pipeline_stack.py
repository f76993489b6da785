"""Both pipelines running side by side for the pipeline bench, and how to load each of them.

Cohort: every process of ARCHITECTURE.md via tests/e2e/harness.py. Bare: bench/bare_pipeline.py
(one uvicorn, one Celery worker). One PostgreSQL server, one Redis DB index, one SMTP sink.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bench.cohort_stages import Stage, breakdown, timelines, where_lost
from bench.cohort_world import CohortLoad, database_engine
from bench.cpu_meter import CpuMeter, named, postgres_backends, tree
from bench.openloop import Outcome, Request, run_phase
from services.scheduler.database import runtime as scheduler_runtime
from tests.e2e.harness import (
    Stack,
    architecture_commands,
    base_environment,
    free_ports,
    infrastructure,
    run_stack,
)
from tests.support.infra import create_database, database_url, drop_database
from tests.support.processes import BIN, Process, celery_worker, free_port, running, wait_http
from tests.support.tokens import test_key_env

QUEUES = ("scheduler", "notifier", "mail", "bare")
# The services' own defaults (the e2e harness shortens sweeps for tests; a bench must not).
PRODUCTION_LIKE = {
    "COHORT_OUTBOX_RELAY_INTERVAL": "2",
    "COHORT_OUTBOX_RELAY_AGE": "5",
    "COHORT_REMINDER_SWEEP_SECONDS": "60",
    "COHORT_DELIVERY_SWEEP_SECONDS": "30",
    "COHORT_VISIBILITY_TIMEOUT": "3600",
}
SETTLE_SECONDS = 90.0


@dataclass
class Bench:
    """Both running pipelines and how to load them."""

    stack: Stack
    cohort: CohortLoad
    bare_port: int
    broker: redis.Redis
    notifier_db: Engine
    drain_seconds: float
    meters: dict[str, CpuMeter]
    bare_sent: int = 0

    def probe(self) -> dict[str, int]:
        """Queue depths in Redis and the scheduler's unsent outbox rows."""
        depths = {name: int(self.broker.llen(name)) for name in QUEUES}
        outbox = scheduler_runtime.bus_tables.outbox
        with self.cohort.scheduler_db.connect() as connection:
            unsent = select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            depths["outbox"] = int(connection.execute(unsent).scalar_one())
        return depths

    def bare_requests(self, count: int) -> list[Request]:
        """`count` sign-ups for the bare pipeline, each to a new address."""
        made = []
        for _ in range(count):
            self.bare_sent += 1
            email = f"bare-{self.bare_sent}@bench.test"
            made.append(Request(email, "/signups", json.dumps({"email": email}).encode()))
        return made

    def idle(self) -> bool:
        """No queued task, no unsent event, and the scheduler answers at once."""
        if any(self.probe().values()):
            return False
        try:
            return httpx.get(f"{self.stack.scheduler}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    async def settle(self) -> None:
        """Wait until both pipelines are idle, so one phase never pays for the previous one."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline and not self.idle():
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)
        self.stack.sink.clear()

    async def phase(self, pipeline: str, rate: float, seconds: float) -> Outcome:
        """Run one pipeline at `rate` per second for `seconds`, then let everything drain."""
        count = max(1, round(rate * seconds))
        await self.settle()
        if pipeline == "bare":
            requests, port = self.bare_requests(count), self.bare_port
        else:
            requests, port = (
                self.cohort.requests(count),
                int(self.stack.scheduler.rsplit(":", 1)[1]),
            )
        await self.settle()
        meter = self.meters[pipeline]
        before = meter.snapshot()
        outcome = await run_phase(
            pipeline=pipeline,
            host="127.0.0.1",
            port=port,
            requests=requests,
            rate=rate,
            sink=self.stack.sink,
            drain_seconds=self.drain_seconds,
            probe=self.probe,
        )
        spent = meter.spent(before, meter.snapshot())
        outcome.cpu_ms = {group: seconds * 1000 / count for group, seconds in spent.items()}
        verdict = "keeps up" if outcome.sustained else "FALLS BEHIND"
        print(
            f"  {pipeline:>6} {rate:5.0f}/s for {seconds:.0f}s: p50 {outcome.p(50):7.1f} ms, "
            f"p99 {outcome.p(99):7.1f} ms, errors {dict(outcome.errors)}, "
            f"lost {outcome.missing}, "
            f"backlog growth {outcome.growth:+.1f}/s, peaks {outcome.queue_peaks}, "
            f"CPU {sum(outcome.cpu_ms.values()):.1f} ms/message, load {outcome.load_average:.1f}"
            f" → {verdict}",
            flush=True,
        )
        top = sorted(outcome.cpu_ms.items(), key=lambda item: -item[1])[:6]
        print("         CPU ms/message: " + ", ".join(f"{g} {v:.1f}" for g, v in top), flush=True)
        return outcome

    def stage_breakdown(self, outcome: Outcome) -> list[Stage]:
        """Where the time of a Cohort phase went, hop by hop (and where lost messages stopped)."""
        found = timelines(
            scheduler=self.cohort.scheduler_db,
            notifier=self.notifier_db,
            scheduled=outcome.scheduled,
            arrived=outcome.arrived,
        )
        lost = where_lost(found)
        if lost:
            print(f"         lost messages: {dict(lost)}", flush=True)
        return breakdown(found)


SHARED = {
    "redis-server": named("redis-server"),
    "load generator + SMTP sink": lambda: [os.getpid()],
}


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


@contextmanager
def pipelines(log_dir: Path, drain_seconds: float) -> Iterator[Bench]:
    """The whole Cohort stack (tests/e2e/harness.py) and the bare pipeline, both running."""
    # The stack trusts a test key (COHORT_ENV=test) that this process signs educators' tokens with.
    for name, value in test_key_env().items():
        os.environ.setdefault(name, value)
    with ExitStack() as stack:
        databases, redis_url, sink = stack.enter_context(infrastructure())
        bare_name = f"cohort_bench_bare_{int(time.time())}"
        create_database(bare_name)
        stack.callback(drop_database, bare_name)
        ports = free_ports()
        env = {**base_environment(databases, redis_url, sink), **PRODUCTION_LIKE}
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        cohort_stack = stack.enter_context(run_stack(commands, env, ports, sink, log_dir))
        bare_port = free_port()
        bare_env = {
            "BARE_DATABASE_URL": database_url(bare_name),
            "BARE_REDIS_URL": redis_url,
            "BARE_SMTP_PORT": str(sink.port),
        }
        api_argv = [str(BIN / "uvicorn"), "bench.bare_pipeline:app", "--host", "127.0.0.1"]
        api = Process("bare-api", [*api_argv, "--port", str(bare_port)], bare_env, log_dir)
        worker = celery_worker(
            "bare-worker", "bench.bare_pipeline:celery_app", "bare", bare_env, log_dir, 2
        )
        stack.enter_context(running(api, worker))
        wait_http(f"http://127.0.0.1:{bare_port}/readyz", timeout=60, process=api)
        worker.wait_for_log("ready", timeout=60)
        meters = {
            "cohort": CpuMeter(
                {
                    **{
                        name: tree(p.popen.pid)
                        for name, p in cohort_stack.processes.items()
                        if p.popen
                    },
                    **{
                        f"PostgreSQL ({service} DB)": postgres_backends(_name(url))
                        for service, url in databases.items()
                    },
                    **SHARED,
                }
            ),
            "bare": CpuMeter(
                {
                    "bare-api": tree(api.popen.pid if api.popen else 0),
                    "bare-worker": tree(worker.popen.pid if worker.popen else 0),
                    "PostgreSQL (bare DB)": postgres_backends(bare_name),
                    **SHARED,
                }
            ),
        }
        yield Bench(
            meters=meters,
            stack=cohort_stack,
            cohort=CohortLoad.create(cohort_stack, databases["scheduler"]),
            bare_port=bare_port,
            broker=redis.Redis.from_url(redis_url),
            notifier_db=database_engine(databases["notifier"]),
            drain_seconds=drain_seconds,
        )
