"""The registration rush's section of docs/PERFORMANCE.md."""

from __future__ import annotations

import argparse

from bench.openloop import percentile
from bench.report import machine, table
from bench.rush_cost import Costs
from bench.rush_load import Phase

TARGETS = {"spread": 0.50, "hot": 0.40}
COMMAND = (
    ".venv/bin/python -m bench.registration_rush --seconds {seconds:g} --rounds {rounds} "
    "--write-docs"
)


def _pooled(runs: list[Phase]) -> tuple[float, float, float, int]:
    answers = sum(len(p.statuses) for p in runs)
    seconds = sum(p.seconds for p in runs)
    latencies = [ms for p in runs for ms in p.latencies_ms]
    return answers / seconds, percentile(latencies, 50), percentile(latencies, 99), answers


def _outcomes(runs: list[Phase]) -> str:
    counts: dict[str, int] = {}
    for phase in runs:
        for status, body in phase.answers():
            key = f"{status} {body.get('status', '')}".strip()
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n:,} x {k}" for k, n in sorted(counts.items()))


def section(
    args: argparse.Namespace, phases: dict[str, list[Phase]], costs: Costs, verdict: list[str]
) -> str:
    """Markdown for the figures of one run."""
    bare_rate = _pooled(phases["bare"])[0]
    rows = []
    for name, label in (
        ("bare", "bare FastAPI + one SQLModel insert"),
        ("spread", "POST /registrations, spread over 300 offerings"),
        ("hot", "POST /registrations, all on one offering (hot row)"),
    ):
        rate, p50, p99, answers = _pooled(phases[name])
        rows.append(
            [
                label,
                f"{rate:,.0f}",
                f"{p50:.1f}",
                f"{p99:.1f}",
                f"{answers:,}",
                f"{rate / bare_rate:.2f}",
            ]
        )
    lines = [
        "## Registration rush",
        "",
        f"Command: `{COMMAND.format(seconds=args.seconds, rounds=args.rounds)}`. "
        "One uvicorn worker each, fresh PostgreSQL databases, "
        f"{args.clients} closed-loop keep-alive clients, "
        f"phases of {args.seconds:g} s alternating bare / spread / bare / hot over {args.rounds} "
        "rounds (bare pooled over all its phases). Each registration is a new educator.",
        f"Machine: {machine()}.",
        "",
        table(["what", "requests/s", "p50 ms", "p99 ms", "answers", "ratio to bare"], rows),
        "",
    ]
    for name, target in TARGETS.items():
        ratio = _pooled(phases[name])[0] / bare_rate
        mark = "met" if ratio >= target else "NOT met"
        lines.append(f"- {name}: **{ratio:.2f}** of bare (target ≥ {target:.2f}: {mark})")
    lines += [
        f"- spread answers: {_outcomes(phases['spread'])}",
        f"- hot answers: {_outcomes(phases['hot'])}",
        "- invariants after the run: "
        + ("every hot offering holds exactly its 25 confirmed seats, no cohort over capacity, "
           "no 5xx" if not verdict else "BROKEN: " + "; ".join(verdict)),
    ]  # fmt: skip
    return "\n".join(lines + _cost_lines(costs))


def _cost_lines(costs: Costs) -> list[str]:
    other = costs.registration_in_process - costs.outbox_send
    server = costs.registration_http - costs.registration_in_process - costs.web_layer
    return [
        "",
        "Where the time goes (one client at a time, CPU milliseconds per request; server CPU "
        "from /proc, the use case and the app around it timed in the bench process):",
        "",
        table(
            ["part", "CPU ms"],
            [
                ["bare app, whole request (HTTP + one insert)", f"{costs.bare_http:.2f}"],
                ["scheduler, whole POST /registrations", f"{costs.registration_http:.2f}"],
                ["- register_educator without HTTP", f"{costs.registration_in_process:.2f}"],
                ["  - of which the outbox's after-commit send (Redis + mark sent)",
                 f"{costs.outbox_send:.2f}"],
                ["  - the rest: locks, seat board, insert, event row, commit", f"{other:.2f}"],
                ["- the app around it: routing, auth, dependencies, middleware, JSON (ASGI "
                 "in the bench process, the use case answering a fixed body)",
                 f"{costs.web_layer:.2f}"],
                ["  - of which verifying the access token (1,000 revocations loaded)",
                 f"{costs.token_verification:.2f}"],
                ["- the rest: HTTP server (uvicorn, sockets, the worker-thread hop) and the "
                 "server's background threads", f"{server:.2f}"],
            ],
        ),
        "",
        f"The outbox's after-commit send costs {costs.outbox_send:.2f} ms: one LPUSH of the "
        "Celery message, with the row's sent mark batched on a background thread (one UPDATE "
        "per 100 ms). A registration is one short transaction of four prebuilt statements "
        "(`locks.py` and `registrations/statements.py` in `services/scheduler/`, no query "
        "assembled per request): both row locks (offering, then educator) in one round trip, "
        "reading only the columns the decision and its event need; one seat board query (seats per "
        "cohort, waitlist length and last place, the educator's own registration, whether they "
        "hold a seat elsewhere), which must run after the lock is granted so that it sees every "
        "seat committed before; the registration insert; its event row. The event's picture of "
        "the offering (meetings in local time) is built once per offering version "
        "(`snapshots.py`); the overlap query runs only for educators who already hold a "
        "seat. Each statement still costs about 0.1 ms of kernel and driver time for its round "
        "trip plus 0.1-0.2 ms in SQLAlchemy; the hot row adds the wait for the offering's lock, "
        "held from the first statement to the commit.",
    ]  # fmt: skip
