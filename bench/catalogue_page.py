"""The catalogue page under 16 concurrent visitors: the portal's `/` against the registry's JSON.

Seeds the registry's tables with 10,000 published offerings (as bench.catalogue does), starts
the registry and the portal (uvicorn, as deployed; the scheduler's address is a closed port, so
a page's one call for seats left fails at once), then runs 16 concurrent clients
(bench/lean_http.py: kept-alive connections, little CPU of their own). Each client alternates
one catalogue page from the portal and the registry's GET /offerings for the same search (ten a
page, published), so both are measured in the same run under the same load. Two phases: visitors
who pause between requests (the targets are judged on this one), then the same clients with no
pause (saturated).

    .venv/bin/python -m bench.catalogue_page [--offerings 10000] [--requests 40] [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench import catalogue_page_report as page_report
from bench import lean_http, report
from bench.catalogue_seed import PROGRAMS, seed_catalogue
from bench.cohort_world import database_engine
from bench.cpu_meter import cpu_seconds
from tests.e2e.harness import ADMIN_TOKEN, SECRET_KEY
from tests.support.infra import create_database, drop_database, private_redis_db
from tests.support.processes import BIN, Process, free_port, running, wait_http

CLIENTS = 16
PAGE_SIZE = 10
TARGETS = ("portal page", "registry JSON")


@dataclass(frozen=True)
class Servers:
    """Where the portal and the registry answer, and their process ids."""

    portal: str
    registry: str
    pids: dict[str, int]


@dataclass(frozen=True)
class Search:
    """One search as a visitor types it into the form, and as the registry's filters."""

    name: str
    form: dict[str, str]
    filters: dict[str, str]


@dataclass
class Phase:
    """One load phase: its pause between a client's requests and what each target took (ms)."""

    name: str
    think: float
    times: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in TARGETS})
    cpu_ms: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu_ms: float = 0.0


def _day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).date().isoformat()


def _start(day: str) -> str:
    return f"{day}T00:00:00+00:00"


def typical_searches() -> list[Search]:
    """What visitors ask the catalogue (days read in UTC, as for someone not signed in)."""
    soon, later = _day(0), _day(30)
    day_after = (datetime.fromisoformat(later) + timedelta(days=1)).date().isoformat()
    return [
        Search("first page", {}, {}),
        Search("program", {"program": PROGRAMS[0]}, {"program": PROGRAMS[0]}),
        Search(
            "state + format",
            {"state": "OH", "format": "virtual"},
            {"state": "OH", "format": "virtual"},
        ),
        Search(
            "next 30 days",
            {"from": soon, "to": later},
            {"starts_after": _start(soon), "starts_before": _start(day_after)},
        ),
        Search("words", {"q": "safety"}, {"q": "safety"}),
    ]


def registry_params(search: Search, cursor: str | None = None) -> dict[str, str]:
    """The registry's query the portal sends for a search (and its next page)."""
    params = {"limit": str(PAGE_SIZE), "status": "published", **search.filters}
    return {**params, "cursor": cursor} if cursor else {**params, "offset": "0"}


def requests_of(servers: Servers, searches: list[Search]) -> list[tuple[str, str, dict[str, str]]]:
    """Every (target, url, params) a client cycles through: each search's first page, and the
    second and third pages by cursor, on the portal and on the registry."""
    pairs = []
    with httpx.Client(timeout=30) as client:
        for search in searches:
            trail: list[str] = []
            for _ in range(3):
                answer = client.get(
                    f"{servers.registry}/offerings",
                    params=registry_params(search, trail[-1] if trail else None),
                ).json()
                form = {**search.form, **({"after": ".".join(trail)} if trail else {})}
                pairs.append(("portal page", f"{servers.portal}/", form))
                pairs.append(
                    (
                        "registry JSON",
                        f"{servers.registry}/offerings",
                        registry_params(search, trail[-1] if trail else None),
                    )
                )
                if answer["next_cursor"] is None:
                    break
                trail.append(answer["next_cursor"])
    return pairs


async def _client(
    number: int,
    plan: list[tuple[str, str, dict[str, str]]],
    phase: Phase,
    rounds: int,
    record: bool,
) -> None:
    prepared = [(target, lean_http.prepare(url, params)) for target, url, params in plan]
    client = lean_http.LeanClient()
    try:
        for step in range(rounds):
            target, request = prepared[(number * 2 + step) % len(prepared)]
            started = time.perf_counter()
            answer = await client.get(request)
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status != 200:
                raise RuntimeError(f"{target} {request.raw[:200]!r}: {answer.status}")
            if record:
                phase.times[target].append(elapsed)
            if phase.think:
                await asyncio.sleep(phase.think)
    finally:
        await client.aclose()


def run_phase(
    servers: Servers, plan: list[tuple[str, str, dict[str, str]]], phase: Phase, rounds: int
) -> None:
    """A short warm-up, then `rounds` requests from each of the 16 clients; CPU per request of
    each server process over the measured part."""
    asyncio.run(_all(plan, phase, 4, record=False))
    before = {name: cpu_seconds(pid) for name, pid in servers.pids.items()}
    started, client_cpu = time.monotonic(), time.process_time()
    asyncio.run(_all(plan, phase, rounds, record=True))
    phase.seconds = time.monotonic() - started
    phase.client_cpu_ms = (time.process_time() - client_cpu) * 1000 / (rounds * CLIENTS)
    pages = len(phase.times["portal page"])
    # Each page asks the registry for its offerings (programs are kept 30 s by the portal).
    requests = {"portal": pages, "registry": pages + len(phase.times["registry JSON"])}
    for name, pid in servers.pids.items():
        phase.cpu_ms[name] = (cpu_seconds(pid) - before[name]) * 1000 / max(requests[name], 1)


async def _all(
    plan: list[tuple[str, str, dict[str, str]]], phase: Phase, rounds: int, *, record: bool
) -> None:
    await asyncio.gather(*(_client(n, plan, phase, rounds, record) for n in range(CLIENTS)))


@contextmanager
def stack(log_dir: Path, offerings: int) -> Iterator[Servers]:
    """A seeded registry and a portal in front of it, running."""
    with ExitStack() as stack:
        name = f"cohort_bench_catalogue_page_{int(time.time())}"
        url = create_database(name)
        stack.callback(drop_database, name)
        port, portal_port, nowhere = free_port(), free_port(), "http://127.0.0.1:9"
        registry_url = f"http://127.0.0.1:{port}"
        env = {
            "COHORT_ENV": "test",
            "COHORT_ADMIN_TOKEN": ADMIN_TOKEN,
            "COHORT_SECRET_KEY": SECRET_KEY,
            "COHORT_REDIS_URL": stack.enter_context(private_redis_db()),
            "REGISTRY_DATABASE_URL": url,
            "COHORT_LOG_JSON": "true",
            "COHORT_REGISTRY_URL": registry_url,
            "COHORT_ACCOUNTS_URL": nowhere,
            "COHORT_SCHEDULER_URL": nowhere,
            "COHORT_NOTIFIER_URL": nowhere,
        }
        uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--no-access-log", "--port"]
        api = Process("registry", [*uvicorn, str(port), "services.registry.main:app"], env, log_dir)
        portal = Process(
            "portal", [*uvicorn, str(portal_port), "services.portal.main:app"], env, log_dir
        )
        stack.enter_context(running(api))
        wait_http(f"{registry_url}/readyz", timeout=60, process=api)
        started = time.monotonic()
        counts = seed_catalogue(database_engine(url), published=offerings)
        print(f"seeded {counts} in {time.monotonic() - started:.1f}s", flush=True)
        stack.enter_context(running(portal))
        wait_http(f"http://127.0.0.1:{portal_port}/", timeout=60, process=portal)
        pids = {"portal": portal.popen.pid if portal.popen else 0}
        pids["registry"] = api.popen.pid if api.popen else 0
        yield Servers(f"http://127.0.0.1:{portal_port}", registry_url, pids)


def main() -> None:
    """Seed, run both phases, print and (with --write-docs) write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="per client and phase")
    parser.add_argument("--think-ms", type=float, default=250.0, help="pause between requests")
    parser.add_argument("--write-docs", action="store_true", help="write docs/PERFORMANCE.md")
    args = parser.parse_args()
    argv = [a for a in sys.argv[1:] if a != "--write-docs"]
    started, load_at_start = datetime.now(UTC), os.getloadavg()[0]
    print(f"load average at start: {load_at_start:.2f}", flush=True)
    log_dir = Path(tempfile.mkdtemp(prefix="cohort-bench-catalogue-page-"))
    phases = [Phase("visitors pausing", args.think_ms / 1000), Phase("no pause (saturated)", 0.0)]
    with stack(log_dir, args.offerings) as servers:
        plan = requests_of(servers, typical_searches())
        for phase in phases:
            run_phase(servers, plan, phase, args.requests)
            print(page_report.summary(phase), flush=True)
    body = page_report.render(
        phases,
        command=report.command("bench.catalogue_page", *argv),
        started=started,
        offerings=args.offerings,
        clients=CLIENTS,
        load_at_start=load_at_start,
    )
    print(body)
    if args.write_docs:
        print(f"written to {report.replace_section('catalogue-page', body)}")


if __name__ == "__main__":
    main()
