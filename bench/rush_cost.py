"""Where a registration's time goes: CPU per request, one client at a time.

The server's own CPU time (from /proc) per answer, for the bare app and for the scheduler; the
scheduler's use case run in this process without HTTP, with and without the outbox's
after-commit send (the event handed to Redis and its row marked sent); the scheduler's app
around the use case (routing, auth, dependencies, middleware, JSON), called in this process
through ASGI with the use case answering a fixed body; and the verification of one educator's
access token in this process (bench/token_verification.py).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench.rush_load import Body, run_phase
from bench.rush_setup import Server, World

# Revocations loaded where the token's verification is timed, as a busy service would hold.
REVOCATIONS = 1_000


@dataclass(frozen=True)
class Costs:
    """CPU milliseconds per request of each part."""

    bare_http: float
    registration_http: float
    registration_in_process: float
    outbox_send: float
    web_layer: float
    token_verification: float


def _http_cost(server: Server, path: str, body: Body, seconds: float) -> float:
    before = server.cpu_seconds()
    phase = run_phase("cost", server.url, path, body, clients=1, seconds=seconds)
    return (server.cpu_seconds() - before) / max(len(phase.statuses), 1) * 1000


def _in_process_cost(world: World, offering_id: int, calls: int) -> tuple[float, float]:
    from sqlmodel import Session

    from services.scheduler.database import runtime
    from services.scheduler.registrations.register import register_educator
    from shared.outbox import Outbox

    sending = [0.0]
    original = Outbox.send_now

    def timed(self: Outbox, engine: object, envelopes: object) -> None:
        started = time.process_time()
        original(self, engine, envelopes)  # type: ignore[arg-type]
        sending[0] += time.process_time() - started

    Outbox.send_now = timed  # type: ignore[method-assign]
    try:
        started = time.process_time()
        for _ in range(calls):
            with Session(runtime.engine(), expire_on_commit=False) as session:
                register_educator(
                    session=session,
                    educator_id=world.next_educator_id(),
                    offering_id=offering_id,
                )
        total = time.process_time() - started
    finally:
        Outbox.send_now = original  # type: ignore[method-assign]
    return total / calls * 1000, sending[0] / calls * 1000


def measure_costs(bare: Server, scheduler: Server, world: World, seconds: float) -> Costs:
    """Sequential requests against each server, then the use case in this process."""
    counter = iter(range(10**9))

    def bare_body() -> tuple[bytes, dict[str, str]]:
        return f'{{"offering_id": {next(counter)}}}'.encode(), {}

    offering = world.spread_ids[0]
    world.prepare(int(seconds * 1000))
    bare_ms = _http_cost(bare, "/signups", bare_body, seconds)
    registration_ms = _http_cost(
        scheduler, "/registrations", lambda: world.registration(offering), seconds
    )
    in_process_ms, outbox_ms = _in_process_cost(world, world.spread_ids[1], calls=300)
    web_ms = _web_layer_cost(world, world.spread_ids[2], calls=1000)
    return Costs(
        bare_ms, registration_ms, in_process_ms, outbox_ms, web_ms, _verification_cost(world)
    )


def _web_layer_cost(world: World, offering_id: int, calls: int) -> float:
    """CPU per POST /registrations through the scheduler's ASGI app in this process, with
    register_educator answering a fixed body: everything around the use case but the server."""
    from services.scheduler.main import create_app
    from services.scheduler.registrations import register

    fixed = register.Answer(201, {"id": 1, "offering_id": offering_id, "status": "confirmed"})
    original = register.register_educator
    register.register_educator = lambda **_: fixed
    try:
        app = create_app()
        world.prepare(calls + 50)
        requests = [world.registration(offering_id) for _ in range(calls + 50)]

        async def run() -> float:
            for body, headers in requests[:50]:
                await _asgi_post(app, "/registrations", body, headers)
            started = time.process_time()
            for body, headers in requests[50:]:
                await _asgi_post(app, "/registrations", body, headers)
            return time.process_time() - started

        return asyncio.run(run()) / calls * 1000
    finally:
        register.register_educator = original


async def _asgi_post(app: Any, path: str, body: bytes, headers: dict[str, str]) -> None:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
        ],
    }  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # the client stays connected until the answer is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    assert status == [201], f"the stubbed registration answered {status}"


def _verification_cost(world: World) -> float:
    from bench import token_verification
    from shared.auth import verify_access_token

    revocations, _ = token_verification.load_revocations(REVOCATIONS)
    refused = [revocations.covers]
    world.prepare(1)
    token = world.tokens.popleft()
    assert verify_access_token(token, refused) is not None, "the bench's token does not verify"
    return token_verification.cpu_ms_per_call(lambda: verify_access_token(token, refused), 3000)
