"""Registration → invite in the mailbox, open loop: Cohort's real path against a bare pipeline.

Both pipelines run side by side on the same machine, same PostgreSQL, Redis and SMTP sink, and
are measured ALTERNATELY (bare, Cohort, bare, Cohort, ...) so drift in the machine's load hits
both alike. Requests leave on a fixed schedule; latency runs from each request's scheduled send
time to its message's arrival at the sink.

    .venv/bin/python -m bench.pipeline [--sustain-seconds 300] [--fixed-seconds 10]
        [--step-seconds 6] [--no-docs]

Phases: a short warm-up; 50/s and 100/s for each pipeline; a ladder of rising rates per pipeline
until it stops keeping up (saturation); Cohort for --confirm-seconds at that rate, stepping down
until a rate keeps up; then Cohort alone for --sustain-seconds at that rate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.openloop import Outcome
from bench.pipeline_report import Results, highest_kept_up, render
from bench.pipeline_stack import Bench, pipelines

FIXED_RATES = (50.0, 100.0)
CONFIRM_STEP = 10
# Long runs at most: the confirmed rate, then 10/s lower each time one builds a backlog.
LONG_TRIES = 3
LADDER = (20, 30, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240, 270, 300, 340, 380, 420)


def marginal(outcome: Outcome) -> bool:
    """A failure a passing disturbance could explain: nothing lost, backlog growing slowly."""
    return outcome.missing == 0 and outcome.growth < 0.25 * outcome.rate


async def climb(bench: Bench, results: Results, seconds: float) -> dict[str, float]:
    """Raise each pipeline's rate rung by rung, from the highest fixed rate it kept up with,
    until a rung fails clearly, or twice in a row when only marginally (once may be a passing
    disturbance on a shared machine); return the highest rate each kept up with."""
    best = {
        p: highest_kept_up([o for o in results.fixed if o.pipeline == p])
        for p in ("bare", "cohort")
    }
    going = {p for p in best if best[p] < LADDER[-1]}
    for rate in (r for r in LADDER if r > min(best.values())):
        for pipeline in ("bare", "cohort"):
            if pipeline not in going or rate <= best[pipeline]:
                continue
            for _ in range(2):
                outcome = await bench.phase(pipeline, rate, seconds)
                results.ladder.append(outcome)
                if outcome.sustained:
                    best[pipeline] = rate
                    break
                if not marginal(outcome):
                    going.discard(pipeline)
                    break
            else:
                going.discard(pipeline)
        if not going:
            break
    return best


async def confirm(bench: Bench, results: Results, best: float, args: argparse.Namespace) -> float:
    """The rate for the long run: from the ladder's best down in steps of 10/s, the first that
    keeps up for --confirm-seconds (a short rung can pass on a queue that drains only after it)."""
    if args.confirm_seconds <= 0 or not best:
        return best or LADDER[0] / 2
    print(f"confirm ({args.confirm_seconds:.0f} s per rate, from {best:.0f}/s down)", flush=True)
    for rate in range(int(best), LADDER[0] - 1, -CONFIRM_STEP):
        outcome = await bench.phase("cohort", rate, args.confirm_seconds)
        results.confirm.append(outcome)
        if outcome.sustained:
            return float(rate)
    return LADDER[0] / 2


async def measure(bench: Bench, args: argparse.Namespace) -> Results:
    """Every phase, alternating the two pipelines."""
    results = Results()
    print("warm-up", flush=True)
    for pipeline in ("bare", "cohort"):
        await bench.phase(pipeline, 20, 4)
    print("fixed rates", flush=True)
    for rate in FIXED_RATES:
        for pipeline in ("bare", "cohort"):
            outcome = await bench.phase(pipeline, rate, args.fixed_seconds)
            results.fixed.append(outcome)
            if pipeline == "cohort":
                results.stages[f"{rate:.0f}/s"] = bench.stage_breakdown(outcome)
    print("ladder (until each pipeline falls behind)", flush=True)
    results.saturation = await climb(bench, results, args.step_seconds)
    kept = [o for o in results.of("cohort") if o.sustained]
    if kept:
        fastest = max(kept, key=lambda o: o.rate)
        results.stages[f"kept up {fastest.rate:.0f}/s"] = bench.stage_breakdown(fastest)
    sustain_rate = await confirm(bench, results, results.saturation["cohort"], args)
    results.sustain = await sustain(bench, results, sustain_rate, args.sustain_seconds)
    results.stages[f"sustained {results.sustain.rate:.0f}/s"] = bench.stage_breakdown(
        results.sustain
    )
    return results


async def sustain(bench: Bench, results: Results, rate: float, seconds: float) -> Outcome:
    """The long run: at the confirmed rate, then 10/s lower while it builds a backlog (at most
    LONG_TRIES runs; the ones that fell behind are kept for the report)."""
    while True:
        print(f"sustained: Cohort at {rate:.0f}/s for {seconds:.0f}s", flush=True)
        outcome = await bench.phase("cohort", rate, seconds)
        lower = rate - CONFIRM_STEP
        if outcome.flat or lower < LADDER[0] / 2 or len(results.sustain_tries) + 1 >= LONG_TRIES:
            return outcome
        results.sustain_tries.append(outcome)
        rate = lower


def main() -> None:
    """Measure both pipelines, print the figures, write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sustain-seconds", type=float, default=300.0)
    parser.add_argument("--fixed-seconds", type=float, default=10.0)
    parser.add_argument("--step-seconds", type=float, default=6.0)
    parser.add_argument("--confirm-seconds", type=float, default=30.0)
    parser.add_argument("--drain-seconds", type=float, default=8.0)
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/PERFORMANCE.md")
    args = parser.parse_args()
    argv = [a for a in sys.argv[1:] if a != "--no-docs"]
    started = datetime.now(UTC)
    log_dir = Path(tempfile.mkdtemp(prefix="cohort-bench-pipeline-"))
    print(f"process logs in {log_dir}", flush=True)
    with pipelines(log_dir, args.drain_seconds) as bench:
        results = asyncio.run(measure(bench, args))
    body = render(
        results,
        command=report.command("bench.pipeline", *argv),
        started=started,
        fixed_seconds=args.fixed_seconds,
        step_seconds=args.step_seconds,
    )
    print(body)
    if not args.no_docs:
        print(f"written to {report.replace_section('pipeline', body)}")


if __name__ == "__main__":
    main()
