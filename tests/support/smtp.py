"""A real SMTP server (aiosmtpd) on loopback for tests: keeps messages, can stop and come back."""

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from tests.support.processes import free_port


@dataclass(frozen=True)
class Received:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    received_at: float

    def parsed(self) -> EmailMessage:
        """The message parsed with the modern email policy."""
        message = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class _Store:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler:
    """aiosmtpd handler: refuses chosen recipients, optionally waits, stores the rest."""

    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.lower() in self.sink.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        item = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content),
            received_at=time.monotonic(),
        )
        with self.sink.store.lock:
            self.sink.store.messages.append(item)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """A controller that remembers its client connections so `stop` can cut them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        server = super().factory()
        self.sessions.append(server)
        return server

    def close_connections(self) -> None:
        for server in self.sessions:
            transport = getattr(server, "transport", None)
            if transport is not None:
                transport.abort()


class SmtpSink:
    """An SMTP server on 127.0.0.1 (free port) keeping every message it accepts in memory."""

    def __init__(
        self, port: int | None = None, *, delay: float = 0.0, login: tuple[str, str] | None = None
    ) -> None:
        self.port = port or free_port()
        self.delay = delay
        self.login = login
        self.refuse: set[str] = set()
        self.store = _Store()
        self._controller: _Controller | None = None

    def start(self) -> "SmtpSink":
        """Listen (again) on the same port."""
        auth: dict[str, Any] = {}
        if self.login is not None:
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        controller = _Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10, **auth
        )
        controller.start()
        self._controller = controller
        return self

    def _authenticate(self, *args: Any) -> AuthResult:
        credentials = args[-1]
        given = (credentials.login.decode(), credentials.password.decode())
        return AuthResult(success=given == self.login)

    @property
    def connections(self) -> int:
        """How many client connections the current run of the server accepted."""
        controller = self._controller
        return len(controller.sessions) if controller else 0

    def stop(self) -> None:
        """Stop listening and cut open client connections."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        controller.loop.call_soon_threadsafe(controller.close_connections)
        controller.stop()

    @property
    def running(self) -> bool:
        """Tell whether the server listens now."""
        return self._controller is not None

    @property
    def messages(self) -> list[Received]:
        """A snapshot of every message accepted so far."""
        with self.store.lock:
            return list(self.store.messages)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self.store.lock:
            self.store.messages.clear()

    def wait_for(
        self,
        predicate: Callable[[list[Received]], bool],
        timeout: float = 30,
        poll: Callable[[], None] | None = None,
    ) -> list[Received]:
        """Wait until `predicate(messages)` holds; `poll` runs every half second (e.g. a sweep)."""
        deadline = time.monotonic() + timeout
        polled = time.monotonic()
        while True:
            seen = self.messages
            if predicate(seen):
                return seen
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(seen)} messages arrived")
            # Polling (not a wake-up per message) keeps the waiting thread off the server's back.
            time.sleep(0.05)
            if poll is not None and time.monotonic() - polled >= 0.5:
                poll()
                polled = time.monotonic()

    def wait_count(self, count: int, timeout: float = 30, **kwargs: Any) -> list[Received]:
        """Wait until at least `count` messages arrived."""
        return self.wait_for(lambda messages: len(messages) >= count, timeout, **kwargs)

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
