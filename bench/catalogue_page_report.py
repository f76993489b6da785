"""The catalogue page bench's section of docs/PERFORMANCE.md: the table and the targets."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from bench import report
from bench.openloop import percentile

if TYPE_CHECKING:
    from bench.catalogue_page import Phase

TARGET_P95_MS = 60.0
TARGET_RATIO = 1.5


def _p(values: list[float], q: float) -> str:
    return f"{percentile(values, q):.1f}"


def summary(phase: Phase) -> str:
    """One line per phase, printed as it ends."""
    return f"  {phase.name}: " + ", ".join(
        f"{target} p50 {_p(times, 50)} / p95 {_p(times, 95)} ms ({len(times)})"
        for target, times in phase.times.items()
    )


def verdict(phase: Phase) -> str:
    """Whether the page meets its two targets in this phase."""
    page = percentile(phase.times["portal page"], 95)
    listing = percentile(phase.times["registry JSON"], 95)
    ratio = page / listing if listing else float("nan")
    met = page <= TARGET_P95_MS and ratio <= TARGET_RATIO
    return (
        f"portal page p95 {page:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms), "
        f"{ratio:.2f} times the JSON listing's p95 {listing:.1f} ms "
        f"(target ≤ {TARGET_RATIO} times): " + ("**targets met**" if met else "**targets missed**")
    )


def _rows(phases: list[Phase]) -> list[list[object]]:
    rows: list[list[object]] = []
    for phase in phases:
        for target, times in phase.times.items():
            rate = len(times) / phase.seconds if phase.seconds else 0.0
            rows.append(
                [
                    phase.name,
                    target,
                    len(times),
                    f"{rate:.0f}",
                    f"{_p(times, 50)} / {_p(times, 95)} / {_p(times, 99)}",
                ]
            )
    return rows


def _cpu(phases: list[Phase]) -> str:
    return "; ".join(
        f"{phase.name}: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in phase.cpu_ms.items())
        for phase in phases
    )


def render(
    phases: list[Phase],
    *,
    command: str,
    started: datetime,
    offerings: int,
    clients: int,
    load_at_start: float,
) -> str:
    """The catalogue page section of the report."""
    paced = phases[0]
    header = ["phase", "target", "requests", "per s", "p50 / p95 / p99 ms"]
    return "\n".join(
        [
            "## Catalogue page: the portal's `/` under 16 concurrent visitors",
            "",
            f"`{command}` — measured {started:%Y-%m-%d %H:%M} UTC. The registry holds "
            f"{offerings:,} published",
            "offerings (seeded as for the listing above); a real registry and a real portal",
            "(uvicorn, one process each) run; the scheduler's address is a closed port, so each",
            "page's one call for seats left fails at once and its cards show none. "
            f"{clients} clients",
            "each alternate the portal's catalogue page and the registry's `GET /offerings` for",
            "the same search (ten a page, published): first page, a program, state + format, the",
            "next 30 days and a word, each on its first three pages (later pages by cursor, as the",
            f"page's Next link does). **{paced.name}**: each client waits "
            f"{paced.think * 1000:.0f} ms after an answer",
            "before its next request (targets judged here); **no pause**: the same clients back to",
            "back, the machine saturated. Latency counted at the client, from send to full answer;",
            "the clients share one process and speak HTTP/1.1 over kept-alive connections",
            "(`bench/lean_http.py`), using "
            + ", ".join(f"{p.client_cpu_ms:.2f} ms ({p.name})" for p in phases)
            + " of CPU per request.",
            f"Machine load average (1 min) at the start: {load_at_start:.1f}, at the end: "
            f"{os.getloadavg()[0]:.1f}, on {os.cpu_count()} cores.",
            "",
            report.table(header, _rows(phases), "llrrr"),
            "",
            f"Targets ({paced.name}): {verdict(paced)}. Saturated: {verdict(phases[-1])}.",
            "",
            "CPU per request of each server process (user + system, from /proc; the registry's",
            "requests include the listing each portal page asks for): " + _cpu(phases) + ".",
        ]
    )
