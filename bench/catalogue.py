"""Catalogue query latency with 10,000 published offerings: the registry against a bare baseline.

Seeds the registry's own tables (PostgreSQL), starts the registry (uvicorn, as deployed) and a
bare FastAPI endpoint running the same listing as hand-written SQL, then sends GET /offerings
with typical filters to each in turn, one request at a time, alternating registry / bare / the
SQL alone (psycopg, no HTTP). Reports p50 and p95 per filter and over all requests.

    .venv/bin/python -m bench.catalogue [--offerings 10000] [--requests 80] [--no-docs]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import report
from bench.bare_catalogue import list_offerings
from bench.catalogue_seed import PROGRAMS, seed_catalogue
from bench.cohort_world import database_engine
from bench.cpu_meter import cpu_seconds
from bench.openloop import percentile
from tests.e2e.harness import ADMIN_TOKEN, SECRET_KEY
from tests.support.infra import create_database, drop_database, private_redis_db
from tests.support.processes import BIN, Process, free_port, running, wait_http

TARGETS = ("registry", "bare HTTP", "SQL only")


@dataclass(frozen=True)
class Servers:
    """Where the registry and the bare endpoint answer, their process ids and the database."""

    registry: str
    bare: str
    database_url: str
    pids: dict[str, int]


@dataclass
class Query:
    """One typical listing and what each target took for it, in ms."""

    name: str
    params: dict[str, Any]
    total: int = 0
    times: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in TARGETS})


def typical_queries(now: datetime) -> list[Query]:
    """What people ask the catalogue: by program, state, time window, format, and paging."""
    soon, later = (now + timedelta(days=30)).isoformat(), (now + timedelta(days=180)).isoformat()
    return [
        Query("first page, no filter", {}),
        Query("program", {"program": PROGRAMS[0]}),
        Query("state", {"state": "IL"}),
        Query("next 30 days", {"starts_after": now.isoformat(), "starts_before": soon}),
        Query("state + format", {"state": "OH", "format": "virtual"}),
        Query(
            "program + state + 6 months",
            {
                "program": PROGRAMS[1],
                "state": "NY",
                "starts_after": now.isoformat(),
                "starts_before": later,
            },
        ),
        Query("deep page (offset 5000)", {"offset": 5000}),
        Query("100 per page, in person", {"format": "in_person", "limit": 100}),
    ]


def _sql_filters(params: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    filters = {k: params.get(k) for k in ("program", "state", "format")}
    for key in ("starts_after", "starts_before"):
        filters[key] = datetime.fromisoformat(params[key]) if key in params else None
    return filters, int(params.get("limit", 50)), int(params.get("offset", 0))


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def measure(servers: Servers, queries: list[Query], rounds: int) -> dict[str, float]:
    """Each query `rounds` times against each target, interleaved (after a short warm-up);
    return the CPU milliseconds each server process spent per request."""
    before = {name: cpu_seconds(pid) for name, pid in servers.pids.items()}
    db_url, registry, bare = servers.database_url, servers.registry, servers.bare
    with httpx.Client(timeout=30) as client, psycopg.connect(db_url, autocommit=True) as db:
        runs: dict[str, Callable[[Query], Any]] = {
            "registry": lambda q: client.get(f"{registry}/offerings", params=q.params),
            "bare HTTP": lambda q: client.get(f"{bare}/offerings", params=q.params),
            "SQL only": lambda q: list_offerings(db, *_sql_filters(q.params)),
        }
        for query in queries:
            for run in runs.values():
                for _ in range(5):
                    run(query)
            for _ in range(rounds):
                for target, run in runs.items():
                    elapsed, answer = _timed(lambda run=run, q=query: run(q))  # type: ignore[misc]
                    if isinstance(answer, httpx.Response):
                        if answer.status_code != 200:
                            raise RuntimeError(f"{target} {query.params}: {answer.text[:300]}")
                        if target == "registry":
                            query.total = int(answer.json()["total"])
                    query.times[target].append(elapsed)
            print(
                f"  {query.name}: "
                + ", ".join(
                    f"{t} p50 {percentile(v, 50):.1f} / p95 {percentile(v, 95):.1f} ms"
                    for t, v in query.times.items()
                ),
                flush=True,
            )
    requests = {name: sum(len(q.times[name]) + 5 for q in queries) for name in servers.pids}
    return {
        name: (cpu_seconds(pid) - before[name]) * 1000 / requests[name]
        for name, pid in servers.pids.items()
    }


@contextmanager
def catalogue(log_dir: Path, offerings: int) -> Iterator[Servers]:
    """A seeded registry and the bare endpoint, running."""
    with ExitStack() as stack:
        name = f"cohort_bench_catalogue_{int(time.time())}"
        url = create_database(name)
        stack.callback(drop_database, name)
        env = {
            "COHORT_ENV": "test",
            "COHORT_ADMIN_TOKEN": ADMIN_TOKEN,
            "COHORT_SECRET_KEY": SECRET_KEY,
            "COHORT_REDIS_URL": stack.enter_context(private_redis_db()),
            "REGISTRY_DATABASE_URL": url,
            "COHORT_LOG_JSON": "true",
        }
        port, bare_port = free_port(), free_port()
        uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port"]
        api = Process("registry", [*uvicorn, str(port), "services.registry.main:app"], env, log_dir)
        bare = Process(
            "bare-catalogue",
            [*uvicorn, str(bare_port), "bench.bare_catalogue:app"],
            {"BARE_DATABASE_URL": url},
            log_dir,
        )
        stack.enter_context(running(api))
        wait_http(f"http://127.0.0.1:{port}/readyz", timeout=60, process=api)
        started = time.monotonic()
        counts = seed_catalogue(database_engine(url), published=offerings)
        print(f"seeded {counts} in {time.monotonic() - started:.1f}s", flush=True)
        stack.enter_context(running(bare))
        wait_http(f"http://127.0.0.1:{bare_port}/readyz", timeout=60, process=bare)
        pids = {"registry": api.popen.pid if api.popen else 0}
        pids["bare HTTP"] = bare.popen.pid if bare.popen else 0
        yield Servers(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}", url, pids)


def render(
    queries: list[Query],
    cpu_ms: dict[str, float],
    *,
    command: str,
    started: datetime,
    offerings: int,
) -> str:
    """The catalogue section of the report."""
    rows: list[list[object]] = []
    for q in queries:
        row: list[object] = [q.name, f"{q.total:,}"]
        row += [
            f"{percentile(q.times[t], 50):.1f} / {percentile(q.times[t], 95):.1f}" for t in TARGETS
        ]
        rows.append(row)
    every = {t: [v for q in queries for v in q.times[t]] for t in TARGETS}
    overall = [
        f"**{percentile(every[t], 50):.1f} / {percentile(every[t], 95):.1f}**" for t in TARGETS
    ]
    rows.append(["**all of the above**", "", *overall])
    header = ["GET /offerings with", "matches", *(f"{t} p50 / p95 ms" for t in TARGETS)]
    return "\n".join(
        [
            f"## Catalogue: GET /offerings with {offerings:,} published offerings",
            "",
            f"`{command}` — measured {started:%Y-%m-%d %H:%M} UTC. The registry's PostgreSQL",
            f"database holds {offerings:,} published offerings (plus {offerings // 10:,} drafts",
            f"and {offerings // 20:,} cancelled), 10 affiliates, 12 programs, 1-4 meetings each,",
            "written straight into the registry's tables. One client, one request at a time,",
            "anonymous (the public catalogue), 50 per page unless said; the three targets are",
            "interleaved request by request. **bare HTTP** is a FastAPI endpoint running the",
            "same listing as hand-written SQL through psycopg (`bench/bare_catalogue.py`);",
            "**SQL only** is that SQL without HTTP. Machine load average (1 min) at the end:",
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
            "",
            report.table(header, rows, "lrrrr"),
            "",
            "CPU per request of the server process (user + system, from /proc, warm-up"
            " included): "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu_ms.items())
            + f" — `{command}`.",
        ]
    )


def main() -> None:
    """Seed, measure, print and write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=80, help="per filter and target")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/PERFORMANCE.md")
    args = parser.parse_args()
    argv = [a for a in sys.argv[1:] if a != "--no-docs"]
    started = datetime.now(UTC)
    log_dir = Path(tempfile.mkdtemp(prefix="cohort-bench-catalogue-"))
    with catalogue(log_dir, args.offerings) as servers:
        queries = typical_queries(datetime.now(UTC))
        cpu_ms = measure(servers, queries, args.requests)
    body = render(
        queries,
        cpu_ms,
        command=report.command("bench.catalogue", *argv),
        started=started,
        offerings=args.offerings,
    )
    print(body)
    if not args.no_docs:
        print(f"written to {report.replace_section('catalogue', body)}")


if __name__ == "__main__":
    main()
