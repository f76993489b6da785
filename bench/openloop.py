"""Open-loop load: requests leave on a fixed schedule whatever the answers.

Each latency counts from the request's *scheduled* send time to the moment its message reaches
the SMTP sink, so a system that falls behind cannot hide its queueing (no coordinated omission).
A small keep-alive HTTP/1.1 client on asyncio keeps the load generator's own CPU cost low on a
2-core machine where it shares the cores with the system under test.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tests.support.smtp import SmtpSink

REQUEST_TIMEOUT = 30.0
SAMPLE_EVERY = 0.25
LATENCY_CEILING_MS = 1000.0
Probe = Callable[[], Mapping[str, int]]


@dataclass(frozen=True)
class Request:
    """One POST to send, and the (lower-case) recipient whose message marks it done."""

    key: str
    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (0 for fewer than two points)."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


@dataclass
class Outcome:
    """What one phase measured."""

    pipeline: str
    rate: float
    seconds: float
    sent: int
    latencies_ms: list[float] = field(default_factory=list)
    responses_ms: list[float] = field(default_factory=list)
    http_errors: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    backlog: list[tuple[float, float]] = field(default_factory=list)
    queue_peaks: dict[str, int] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    load_average: float = 0.0
    scheduled: dict[str, float] = field(default_factory=dict, repr=False)
    arrived: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def missing(self) -> int:
        """Messages that never reached the sink within the drain time."""
        return self.sent - len(self.latencies_ms)

    @property
    def growth(self) -> float:
        """How fast the backlog (sent, not yet delivered) grew over the phase's second half, /s."""
        half = self.seconds / 2
        return slope([(t, n) for t, n in self.backlog if half <= t <= self.seconds])

    def p(self, q: float) -> float:
        """End-to-end latency percentile in ms."""
        return percentile(self.latencies_ms, q)

    @property
    def flat(self) -> bool:
        """No errors, everything delivered, and the backlog did not grow."""
        grew = self.growth > max(1.0, 0.05 * self.rate)
        return self.http_errors == 0 and self.missing == 0 and not grew

    @property
    def sustained(self) -> bool:
        """Flat, and p99 under the ceiling."""
        return self.flat and self.p(99) <= LATENCY_CEILING_MS


class Connections:
    """Keep-alive HTTP/1.1 connections to one server; a new one whenever all are busy."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, request: Request) -> int:
        """Send one POST and return the status code; a stale kept-alive connection (the server
        closed it while idle) is replaced once by a new one."""
        head = [f"POST {request.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += ["Content-Type: application/json", f"Content-Length: {len(request.body)}"]
        head += [f"{name}: {value}" for name, value in request.headers]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + request.body
        for attempt in range(2):
            reused = attempt == 0 and bool(self._idle)
            if reused:
                reader, writer = self._idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(raw)
                answer = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                if reused and attempt == 0:
                    continue
                raise
            status, length, close = _parse_head(answer)
            await reader.readexactly(length)
            if close:
                writer.close()
            else:
                self._idle.append((reader, writer))
            return status
        raise ConnectionError("no answer")

    def close(self) -> None:
        """Close the idle connections."""
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    return status, length, close


class Arrivals:
    """When the sink received mail for each expected recipient (monotonic clock)."""

    def __init__(self, sink: SmtpSink, expected: set[str]) -> None:
        self.sink = sink
        self.expected = expected
        self.at: dict[str, float] = {}

    def collect(self) -> None:
        """Take every message out of the sink (keeps its memory flat) and note expected ones."""
        store = self.sink.store
        with store.lock:
            batch = list(store.messages)
            store.messages.clear()
        for message in batch:
            for recipient in message.rcpt_tos:
                key = recipient.lower()
                if key in self.expected and key not in self.at:
                    self.at[key] = message.received_at


async def run_phase(
    *,
    pipeline: str,
    host: str,
    port: int,
    requests: Sequence[Request],
    rate: float,
    sink: SmtpSink,
    drain_seconds: float = 15.0,
    probe: Probe | None = None,
) -> Outcome:
    """Fire `requests` at `rate` per second, then wait for their messages; return the figures."""
    loop = asyncio.get_running_loop()
    arrivals = Arrivals(sink, {r.key for r in requests})
    arrivals.collect()
    outcome = Outcome(pipeline, rate, len(requests) / rate, len(requests))
    connections = Connections(host, port)
    start = loop.time() + 0.2
    scheduled = [start + i / rate for i in range(len(requests))]

    async def send(request: Request, at: float) -> None:
        try:
            status = await asyncio.wait_for(connections.post(request), REQUEST_TIMEOUT)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = type(exc).__name__
        outcome.responses_ms.append((loop.time() - at) * 1000)
        if error:
            outcome.http_errors += 1
            outcome.errors[error] += 1
            arrivals.expected.discard(request.key)

    done = asyncio.Event()
    sampler = asyncio.create_task(_sample(outcome, arrivals, scheduled, start, probe, done))
    sending = []
    for request, at in zip(requests, scheduled, strict=True):
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sending.append(asyncio.create_task(send(request, at)))
    await asyncio.gather(*sending)
    deadline = start + outcome.seconds + drain_seconds
    while len(arrivals.at) < len(arrivals.expected) and loop.time() < deadline:
        await asyncio.sleep(0.1)
        arrivals.collect()
    done.set()
    await sampler
    connections.close()
    outcome.scheduled = dict(zip((r.key for r in requests), scheduled, strict=True))
    outcome.arrived = arrivals.at
    outcome.load_average = os.getloadavg()[0]
    outcome.latencies_ms = [(t - outcome.scheduled[key]) * 1000 for key, t in arrivals.at.items()]
    return outcome


async def _sample(
    outcome: Outcome,
    arrivals: Arrivals,
    scheduled: list[float],
    start: float,
    probe: Probe | None,
    done: asyncio.Event,
) -> None:
    loop = asyncio.get_running_loop()
    ticks = 0
    while not done.is_set():
        arrivals.collect()
        now = loop.time()
        due = bisect.bisect_right(scheduled, now)
        outcome.backlog.append((now - start, due - len(arrivals.at)))
        if probe is not None and ticks % 4 == 0:
            for name, depth in probe().items():
                outcome.queue_peaks[name] = max(outcome.queue_peaks.get(name, 0), depth)
        ticks += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), SAMPLE_EVERY)
