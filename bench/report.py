"""docs/PERFORMANCE.md: each bench replaces only its own marked section; the header says where.

A section sits between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`; a section
not there yet is appended. Writers hold a file lock, so benches run side by side never lose
each other's sections.
"""

from __future__ import annotations

import fcntl
import os
import platform
import re
import shlex
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "PERFORMANCE.md"
LOCK = Path(os.environ.get("TMPDIR", "/tmp")) / "cohort-performance-md.lock"
TITLE = "# Performance"
HEADER = "header"


def markers(name: str) -> tuple[str, str]:
    """The start and end markers of a named section."""
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def command(module: str, *args: object) -> str:
    """The exact command line that reproduces a figure, run from the repository root."""
    return " ".join([".venv/bin/python", "-m", module, *(shlex.quote(str(a)) for a in args)])


def table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A Markdown table; `align` gives one letter per column (l or r), right by default."""
    spec = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in spec]
    lines = [header, rule, *[[str(cell) for cell in row] for row in rows]]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


@contextmanager
def _locked() -> Iterator[None]:
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(text: str, name: str, body: str) -> str:
    start, end = markers(name)
    section = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: section, text)
    if name == HEADER:
        rest = text[len(TITLE) :].lstrip("\n")
        return f"{TITLE}\n\n{section}\n\n{rest}".rstrip("\n") + "\n"
    return text.rstrip("\n") + "\n\n" + section + "\n"


def replace_section(name: str, body: str, path: Path = DOCS) -> Path:
    """Write `body` as the named section of the report, keeping every other section as it is."""
    with _locked():
        text = path.read_text(encoding="utf-8") if path.exists() else TITLE + "\n"
        if not text.startswith(TITLE):
            text = TITLE + "\n\n" + text
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".md.tmp")
        temporary.write_text(_replace(text, name, body), encoding="utf-8")
        temporary.replace(path)
    return path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _postgres_version() -> str:
    try:
        out = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, timeout=5, check=False
        )
        found = re.search(r"\d+(\.\d+)+", out.stdout)
        return found.group(0) if found else "unknown"
    except OSError:
        return "unknown"


def machine() -> str:
    """One line naming the machine the figures were measured on."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({_cpu_model()}), {_memory_gib():.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {_postgres_version()} (load average at start: {load})"
    )


def header_text(started: datetime | None = None) -> str:
    """The report's introduction: machine, date and how to reproduce every figure."""
    when = (started or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "Every figure below was measured by a script in `bench/` against real processes",
            "(uvicorn, Celery workers, PostgreSQL, Redis, an SMTP server on loopback), each in",
            "its own fresh databases and Redis DB index. Beside each figure is the exact command",
            "that reproduces it, run from the repository root; `make bench` runs them all (about",
            "15 minutes) and rewrites each section in place.",
            "",
            f"- Measured: {when}",
            f"- Machine: {machine()}",
            "- Reproduce everything: `make bench` (= `.venv/bin/python -m bench`)",
            "",
            "The machine is shared and small, so absolute numbers move by ±20 % between runs;",
            "each comparison (Cohort against a bare pipeline, the registry against a bare query)",
            "is therefore measured in the same run, alternating, on the same machine.",
        ]
    )


def write_header(started: datetime | None = None) -> Path:
    """Write (or refresh) the introduction at the top of the report."""
    return replace_section(HEADER, header_text(started))
