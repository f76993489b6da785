"""A minimal HTTP/1.1 client for load benches: one kept-alive connection per server, requests
written as prepared bytes, answers read by Content-Length.

Sixteen httpx clients in the bench's one Python process took about 1.9 ms of CPU per request
(URL building, the connection pool, h11), on the same two cores as the servers measured; this
one takes a small fraction of that, so the servers' latency is less inflated by the bench.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Prepared:
    """One GET, ready to send: the server's (host, port) and the request's bytes."""

    host: str
    port: int
    raw: bytes


def prepare(url: str, params: dict[str, str]) -> Prepared:
    """A GET of `url` with `params` in its query, as bytes on the wire."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{urlencode(params)}" if params else "")
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    raw = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode()
    return Prepared(host, port, raw)


@dataclass
class Answer:
    """A status code and the body."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


@dataclass
class LeanClient:
    """Kept-alive connections, one per server, opened on first use and again if one closes."""

    connections: dict[tuple[str, int], tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(
        default_factory=dict
    )

    async def get(self, request: Prepared) -> Answer:
        """Send the request and read the whole answer (once more on a fresh connection if the
        server had closed the kept one)."""
        try:
            return await self._exchange(request)
        except (ConnectionError, asyncio.IncompleteReadError):
            await self._drop((request.host, request.port))
            return await self._exchange(request)

    async def _exchange(self, request: Prepared) -> Answer:
        key = (request.host, request.port)
        if key not in self.connections:
            self.connections[key] = await asyncio.open_connection(request.host, request.port)
        reader, writer = self.connections[key]
        writer.write(request.raw)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        length = {k.strip().lower(): v.strip() for k, v in headers.items()}.get("content-length")
        if length is None:
            raise RuntimeError(f"an answer without Content-Length: {lines[0]}")
        body = await reader.readexactly(int(length))
        return Answer(status, body)

    async def _drop(self, key: tuple[str, int]) -> None:
        _, writer = self.connections.pop(key, (None, None))
        if writer is not None:
            writer.close()

    async def aclose(self) -> None:
        """Close every connection."""
        for key in list(self.connections):
            await self._drop(key)
