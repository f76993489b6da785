"""Closed-loop HTTP load: N clients, each sending its next POST as soon as the last answers.

A minimal keep-alive HTTP/1.1 client on asyncio keeps the load generator's own CPU cost low on
a 2-core machine where it shares the cores with the server under test and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench.openloop import percentile

Body = Callable[[], tuple[bytes, dict[str, str]]]


@dataclass
class Phase:
    """What one timed phase measured: latencies, status codes and answer bodies."""

    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Answers per second."""
        return len(self.statuses) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        return percentile(self.latencies_ms, q)

    def server_errors(self) -> int:
        """Answers with a 5xx status (or none at all)."""
        return sum(1 for s in self.statuses if s >= 500 or s == 0)

    def answers(self) -> Iterator[tuple[int, dict[str, object]]]:
        """Each status with its parsed JSON body."""
        for status, body in zip(self.statuses, self.bodies, strict=True):
            yield status, json.loads(body) if body else {}


def _parse_head(head: bytes) -> tuple[int, int]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, length


async def _client(
    host: str, port: int, path: str, next_body: Body, deadline: float, phase: Phase
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            payload, headers = next_body()
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            request = (
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n{extra}\r\n"
            ).encode() + payload
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, length = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            body = await reader.readexactly(length)
            phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            phase.statuses.append(status)
            phase.bodies.append(body)
    finally:
        writer.close()


async def _run(
    name: str, host: str, port: int, path: str, next_body: Body, clients: int, seconds: float
) -> Phase:
    phase = Phase(name)
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(host, port, path, next_body, deadline, phase) for _ in range(clients))
    )
    phase.seconds = time.perf_counter() - started
    return phase


def run_phase(
    name: str, url: str, path: str, next_body: Body, *, clients: int, seconds: float
) -> Phase:
    """Drive `clients` closed-loop clients at `url` + `path` for `seconds`."""
    host, port = url.removeprefix("http://").split(":")
    return asyncio.run(_run(name, host, int(port), path, next_body, clients, seconds))
