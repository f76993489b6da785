"""The portal's HTTP clients for the APIs: httpx over a connection pool whose idle connections
are cheap to check (the pool checks every one of them each time a request starts or ends)."""

import select
import socket
import ssl
from typing import Any

import httpcore
import httpx

# httpx's defaults; an idle connection is dropped after 5 s, as the APIs' uvicorn drops it.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


def _readable(sock: socket.socket | None) -> bool:
    """Tell whether an idle connection's socket has something to read (the server closed it)."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """A connection's stream that remembers its socket: anyio builds a table of every attribute
    each time one is asked for, which was most of the pool's checking."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """The next bytes from the server."""
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send bytes to the server."""
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the connection."""
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """The stream after a TLS handshake."""
        return _Stream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """What the pool asks about the connection."""
        if info == "is_readable":
            return _readable(self._socket)
        if info == "socket":
            return self._socket
        return self._stream.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's own network backend, its streams wrapped in `_Stream`."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        """A new TCP connection."""
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    async def sleep(self, seconds: float) -> None:
        """Wait (between connection retries)."""
        await self._backend.sleep(seconds)


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool, its bookkeeping linear in the connections kept rather than quadratic."""

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        # httpcore 1.0's own version, but for one line: it counted the pool's connections by
        # asking each whether it is idle, for each connection, twice per request.
        closing = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle() and len(self._connections) > self._max_keepalive_connections
            ):
                self._connections.remove(connection)
                closing.append(connection)
        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            available = [
                connection
                for connection in self._connections
                if connection.can_handle_request(origin) and connection.is_available()
            ]
            if available:
                pool_request.assign_to_connection(available[0])
                continue
            if len(self._connections) >= self._max_connections:
                idle = next((c for c in self._connections if c.is_idle()), None)
                if idle is None:
                    continue
                self._connections.remove(idle)
                closing.append(idle)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


def api_client(base_url: str, timeout: httpx.Timeout) -> httpx.AsyncClient:
    """An HTTP client for one API, its connections kept alive and reused."""
    transport = httpx.AsyncHTTPTransport(limits=LIMITS)
    # httpx takes no network backend of its own: its pool is replaced by the same pool built
    # with one (same limits, TLS context and HTTP/1.1).
    pool = transport._pool
    assert isinstance(pool, httpcore.AsyncConnectionPool)
    transport._pool = _Pool(
        ssl_context=pool._ssl_context,
        max_connections=LIMITS.max_connections,
        max_keepalive_connections=LIMITS.max_keepalive_connections,
        keepalive_expiry=LIMITS.keepalive_expiry,
        network_backend=_Backend(),
    )
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
