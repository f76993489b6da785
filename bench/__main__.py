"""Run every benchmark, one after another, each rewriting its own section of docs/PERFORMANCE.md.

    .venv/bin/python -m bench [--only NAME ...] [--skip NAME ...] [--sustain-seconds 300]

(`make bench` runs it with the defaults: about 15 minutes on the 2-core project machine.)
Benches run one at a time so they never compete for the cores; a bench that fails is reported
at the end and the others still run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parents[1]
# In this order: quick, CPU-only benches first, whole-stack ones after.
ORDER = (
    "token_verification",
    "invites_render",
    "assignment",
    "catalogue",
    "catalogue_page",
    "registration_rush",
    "invites",
    "pipeline",
)
BUDGET_SECONDS = 15 * 60


@dataclass(frozen=True)
class Outcome:
    """How one bench went."""

    name: str
    seconds: float
    returncode: int


def command(name: str, args: argparse.Namespace) -> list[str]:
    """The command line that runs one bench the way its own docs say, writing its section."""
    python = str(Path(sys.executable))
    path = ROOT / "bench" / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    as_script = f"bench/{name}.py" in source and f"-m bench.{name}" not in source
    argv = [python, str(path)] if as_script else [python, "-m", f"bench.{name}"]
    if name == "pipeline":
        argv += ["--sustain-seconds", f"{args.sustain_seconds:g}"]
    if "--write-docs" in source:
        argv.append("--write-docs")
    return argv


def run(name: str, args: argparse.Namespace) -> Outcome:
    """Run one bench as a subprocess, its output streaming through."""
    argv = command(name, args)
    shown = " ".join(a.replace(str(ROOT) + "/", "") for a in argv)
    print(f"\n=== {name}: {shown}", flush=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    started = time.monotonic()
    returncode = subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode
    outcome = Outcome(name, time.monotonic() - started, returncode)
    state = "done" if returncode == 0 else f"FAILED (exit {returncode})"
    print(f"=== {name}: {state} in {outcome.seconds / 60:.1f} min", flush=True)
    return outcome


def main() -> None:
    """Run the benches present, print a summary and where the report is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run just these benches")
    parser.add_argument("--skip", nargs="*", default=[], help="leave these out")
    parser.add_argument(
        "--sustain-seconds", type=float, default=300.0, help="pipeline's sustained run"
    )
    args = parser.parse_args()
    present = [name for name in ORDER if (ROOT / "bench" / f"{name}.py").exists()]
    chosen = [n for n in present if (args.only is None or n in args.only) and n not in args.skip]
    missing = [name for name in ORDER if name not in present]
    print(
        f"benches: {', '.join(chosen)}"
        + (f" (not written yet: {', '.join(missing)})" if missing else "")
    )
    report.write_header()
    started = time.monotonic()
    outcomes = [run(name, args) for name in chosen]
    total = time.monotonic() - started
    print("\nsummary")
    for outcome in outcomes:
        state = "ok" if outcome.returncode == 0 else f"FAILED (exit {outcome.returncode})"
        print(f"  {outcome.name:<18} {outcome.seconds / 60:5.1f} min  {state}")
    over = " — over the 15-minute budget" if total > BUDGET_SECONDS else ""
    print(f"  {'total':<18} {total / 60:5.1f} min{over}")
    print(f"report: {report.DOCS}")
    if any(o.returncode for o in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
