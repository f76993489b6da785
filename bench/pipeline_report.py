"""The pipeline bench's figures as the Markdown section of docs/PERFORMANCE.md."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime

from bench.cohort_stages import Stage
from bench.openloop import LATENCY_CEILING_MS, Outcome
from bench.report import table

P99_TARGET_MS = 500.0
P99_TARGET_RATE = 50.0
SUSTAIN_SHARE = 0.5


@dataclass
class Results:
    """Every measured phase, in order."""

    fixed: list[Outcome] = field(default_factory=list)
    ladder: list[Outcome] = field(default_factory=list)
    confirm: list[Outcome] = field(default_factory=list)
    sustain: Outcome | None = None
    sustain_tries: list[Outcome] = field(default_factory=list)
    stages: dict[str, list[Stage]] = field(default_factory=dict)
    saturation: dict[str, float] = field(default_factory=dict)

    def of(self, pipeline: str) -> list[Outcome]:
        """Fixed-rate and ladder phases of one pipeline."""
        return [o for o in self.fixed + self.ladder if o.pipeline == pipeline]


def highest_kept_up(outcomes: list[Outcome]) -> float:
    """The highest rate such that every phase at that rate or below kept up (0 if none)."""
    best = 0.0
    for outcome in sorted(outcomes, key=lambda o: o.rate):
        if not outcome.sustained:
            break
        best = outcome.rate
    return best


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _verdict(outcome: Outcome) -> str:
    return "keeps up" if outcome.sustained else "**falls behind**"


def _fixed_table(results: Results) -> str:
    rows = [
        [
            f"{o.rate:.0f}/s",
            "bare" if o.pipeline == "bare" else "Cohort",
            o.sent,
            _ms(o.p(50)),
            _ms(o.p(99)),
            _ms(max(o.latencies_ms, default=math.nan)),
            _ms(_p99(o.responses_ms)),
            o.http_errors,
            o.missing,
            f"{o.growth:+.1f}",
            f"{o.load_average:.1f}",
        ]
        for o in results.fixed
    ]
    header = ["rate", "pipeline", "sent", "p50 ms", "p99 ms", "max ms", "HTTP answer p99 ms"]
    header += ["errors", "lost", "backlog growth /s", "load avg"]
    return table(header, rows, "ll" + "r" * 9)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else math.nan


def _ladder_table(results: Results) -> str:
    rates = sorted({o.rate for o in results.ladder})
    rows = []
    for rate in rates:
        row: list[object] = [f"{rate:.0f}/s"]
        for pipeline in ("bare", "cohort"):
            found = [o for o in results.ladder if o.pipeline == pipeline and o.rate == rate]
            if found:
                o = found[-1]
                again = " (2nd try)" if len(found) > 1 else ""
                row += [f"{_ms(o.p(50))} / {_ms(o.p(99))}", f"{o.growth:+.1f}", _verdict(o) + again]
            else:
                row += ["", "", "not run"]
        rows.append(row)
    header = ["rate", "bare p50 / p99 ms", "bare growth /s", "bare", "Cohort p50 / p99 ms"]
    return table([*header, "Cohort growth /s", "Cohort"], rows, "lrrlrrl")


def _stage_table(results: Results) -> str:
    labels = list(results.stages)
    header = ["hop", "what it covers"] + [f"{label} p50 / p99 ms" for label in labels]
    rows = []
    for i, stage in enumerate(next(iter(results.stages.values()), [])):
        row: list[object] = [stage.name, stage.what]
        row += [f"{_ms(s[i].p50)} / {_ms(s[i].p99)}" for s in results.stages.values()]
        rows.append(row)
    return table(header, rows, "ll" + "r" * len(labels))


def _cpu_phases(results: Results) -> list[Outcome]:
    """Per pipeline, the fastest phase that kept up (CPU per message is only whole there)."""
    chosen = []
    for pipeline in ("bare", "cohort"):
        kept = [o for o in results.of(pipeline) if o.sustained and o.cpu_ms]
        if kept:
            chosen.append(max(kept, key=lambda o: o.rate))
    if results.sustain and results.sustain.sustained and results.sustain.cpu_ms:
        chosen.append(results.sustain)
    return chosen


def _cpu_table(results: Results) -> str:
    phases = _cpu_phases(results)
    if not phases:
        return "(no phase kept up, so no whole CPU figure)"
    groups = list(dict.fromkeys(g for o in phases for g in o.cpu_ms))
    header = ["process", *(f"{_name(o)} {o.rate:.0f}/s, {o.seconds:.0f} s" for o in phases)]
    rows: list[list[object]] = [
        [group, *(f"{o.cpu_ms[group]:.1f}" if group in o.cpu_ms else "" for o in phases)]
        for group in groups
        if any(o.cpu_ms.get(group, 0) >= 0.05 for o in phases)
    ]
    totals = [sum(o.cpu_ms.values()) for o in phases]
    rows.append(["**total CPU ms per message**", *(f"**{t:.1f}**" for t in totals)])
    cores = os.cpu_count() or 1
    rows.append([f"ceiling on {cores} cores", *(f"{cores * 1000 / t:.0f}/s" for t in totals)])
    return table(header, rows, "l" + "r" * len(phases))


def _name(outcome: Outcome) -> str:
    return "bare" if outcome.pipeline == "bare" else "Cohort"


def _targets(results: Results, command: str) -> list[str]:
    at_target = [o for o in results.fixed if o.pipeline == "cohort" and o.rate == P99_TARGET_RATE]
    p99 = at_target[0].p(99) if at_target else math.nan
    bare = results.saturation.get("bare", 0.0)
    sustain = results.sustain
    share = sustain.rate / bare if sustain and bare else math.nan
    kept = bool(sustain and sustain.flat)
    met_share = kept and share >= SUSTAIN_SHARE
    lines = [
        table(
            ["target", "measured", "met"],
            [
                [
                    f"Cohort p99 ≤ {P99_TARGET_MS:.0f} ms at {P99_TARGET_RATE:.0f} registrations/s",
                    f"p99 {_ms(p99)} ms",
                    "yes" if p99 <= P99_TARGET_MS else "**no**",
                ],
                [
                    f"Cohort sustains ≥ {SUSTAIN_SHARE:.0%} of the bare saturation rate",
                    _sustain_words(sustain, bare, share),
                    "yes" if met_share else "**no**",
                ],
            ],
            "llr",
        ),
        "",
        f"Bare pipeline saturation: **{bare:.0f}/s**; Cohort's: "
        f"**{results.saturation.get('cohort', 0.0):.0f}/s** (the highest rate each kept up with:"
        " from the highest fixed rate it kept up with, rung by rung, until a rung failed clearly,"
        f" or twice in a row if only marginally). From `{command}`.",
        *_confirm_words(results),
        *_tries_words(results),
    ]
    return lines


def _tries_words(results: Results) -> list[str]:
    if not results.sustain_tries:
        return []
    runs = ", ".join(
        f"{o.rate:.0f}/s (backlog growth {o.growth:+.1f}/s, p99 {_ms(o.p(99))} ms)"
        for o in results.sustain_tries
    )
    seconds = results.sustain_tries[0].seconds
    return [
        "",
        f"Long runs ({seconds:.0f} s) that built a backlog first, each followed by one 10/s "
        f"lower: {runs}.",
    ]


def _confirm_words(results: Results) -> list[str]:
    if not results.confirm:
        return []
    runs = ", ".join(
        f"{o.rate:.0f}/s {'keeps up' if o.sustained else 'falls behind'} "
        f"(backlog growth {o.growth:+.1f}/s, p99 {_ms(o.p(99))} ms)"
        for o in results.confirm
    )
    seconds = results.confirm[0].seconds
    return [
        "",
        f"The long run's rate: {seconds:.0f} s runs from Cohort's ladder rate down, 10/s a "
        f"step, until one kept up (a queue that a {seconds:.0f} s run shows can hide in a short "
        f"rung): {runs}.",
    ]


def _sustain_words(sustain: Outcome | None, bare: float, share: float) -> str:
    if sustain is None:
        return "not run"
    state = "no backlog growth, nothing lost" if sustain.flat else "fell behind"
    return (
        f"{sustain.rate:.0f}/s for {sustain.seconds:.0f} s = {share:.0%} of {bare:.0f}/s; {state}"
        f" (p50 {_ms(sustain.p(50))} ms, p99 {_ms(sustain.p(99))} ms, backlog growth"
        f" {sustain.growth:+.2f}/s, lost {sustain.missing}; peak queue depths: {_peaks(sustain)})"
    )


def _peaks(outcome: Outcome) -> str:
    return ", ".join(f"{name} {depth}" for name, depth in outcome.queue_peaks.items() if depth)


def render(
    results: Results, *, command: str, started: datetime, fixed_seconds: float, step_seconds: float
) -> str:
    """The whole section."""
    return "\n".join(
        [
            "## End-to-end pipeline: registration → invite in the mailbox",
            "",
            f"`{command}` — measured {started:%Y-%m-%d %H:%M} UTC. Open loop: requests leave on",
            "a fixed schedule whatever the answers, and latency runs from each request's",
            "*scheduled* send time to its message's arrival at the SMTP sink (aiosmtpd), so",
            "queueing is never hidden. The two pipelines run side by side and are measured",
            "alternately against the same PostgreSQL, Redis and sink.",
            "",
            "- **bare**: a FastAPI endpoint (uvicorn, 1 process) inserts one row (SQLModel) and",
            "  sends one Celery task; one Celery worker (concurrency 2) builds an icalendar invite",
            "  and an EmailMessage and sends it with smtplib (`bench/bare_pipeline.py`).",
            "- **Cohort**: `POST /registrations` with an educator token → seat decision under",
            "  the offering's row lock → outbox → `registration.confirmed` → notifier worker →",
            "  booking, invite, delivery ledger → SMTP from the same task (the `mail` queue",
            "  takes retries and bigger batches). Every process of",
            "  ARCHITECTURE.md runs (3 uvicorn, 2 Celery workers at concurrency 2, beat) via",
            "  `tests/e2e/harness.py`,",
            "  with the services' default relay and sweep intervals. Registrations are spread",
            "  round-robin over at least 8 offerings (capacity 1000, one meeting each).",
            "- *load avg* is the machine's 1-minute load average at the end of the phase: on",
            "  2 cores, anything much above 2 means other work was competing for the CPU.",
            "- A phase *keeps up* when nothing fails or is lost, the backlog (sent, not yet",
            "  delivered) grows by at most max(1, 5 % of the rate) per second over its second",
            f"  half, and p99 ≤ {LATENCY_CEILING_MS:.0f} ms.",
            "",
            "### Targets",
            "",
            *_targets(results, command),
            "",
            f"### Fixed rates ({fixed_seconds:.0f} s each, alternating) — `{command}`",
            "",
            _fixed_table(results),
            "",
            f"### Saturation ladder ({step_seconds:.0f} s per rung) — `{command}`",
            "",
            _ladder_table(results) if results.ladder else "(no rung run)",
            "",
            f"### CPU per message, by process (ms) — `{command}`",
            "",
            "CPU time (user + system, from /proc) each process group spent during the phase",
            "(firing and draining), divided by the messages sent, for the fastest phase of each",
            "pipeline that kept up (in a phase that fell behind, part of the work is left over",
            "and the figure would flatter it). PostgreSQL counts the backends connected to that",
            "pipeline's databases. Unlike latency, CPU per message hardly depends on what else",
            "the machine is doing. The ceiling is what the idle cores could carry on CPU alone.",
            "",
            _cpu_table(results),
            "",
            f"### Where Cohort's time goes, hop by hop — `{command}`",
            "",
            "Read back from each hop's own timestamp (registration row, outbox `sent_at`,",
            "notifier processed-event row, ledger row) and the sink's arrival time.",
            "",
            _stage_table(results),
        ]
    )
