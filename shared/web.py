"""The FastAPI app every service builds on: offline docs, health, metrics, request ids, errors."""

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import RevocationCheck, refuse_when
from shared.broker import redis_for
from shared.logs import correlation_id
from shared.metrics import REQUEST_LATENCY, REQUESTS
from shared.settings import get_settings
from shared.web_errors import add_error_handlers

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# A caller's request id is kept only when it is short and plain: it goes into logs and headers.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The caller's X-Request-ID when it is plain enough to log and echo, or a new one."""
    given = headers.get(b"x-request-id", b"")
    return given.decode("ascii") if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class BodyTooLarge(HTTPException):
    """A request body over the limit: refused with 413 before it is read in full."""

    def __init__(self) -> None:
        super().__init__(413, detail=f"request body over {MAX_BODY_BYTES} bytes")


class BodyLimitMiddleware:
    """Refuse request bodies over MAX_BODY_BYTES, by their Content-Length or while they arrive."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared length over the limit; stop reading once it is passed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await JSONResponse({"detail": BodyTooLarge().detail}, status_code=413)(
                scope, receive, send
            )
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)


class RequestIdMiddleware:
    """Give every request an id (or keep the caller's X-Request-ID) and log it with the request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id in the logging context, and count it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope.get("headers") or []))
        token = correlation_id.set(request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            REQUESTS.labels(self.service, scope["method"], path, str(status["code"])).inc()
            REQUEST_LATENCY.labels(self.service, path).observe(time.perf_counter() - started)
            correlation_id.reset(token)


class Readiness(BaseModel):
    """Whether the service can serve, and what each dependency said."""

    ready: bool
    checks: dict[str, str]


def _health_router(
    engine: Callable[[], Engine], on_scrape: Sequence[Callable[[], None]]
) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Database and Redis reachable",
        response_model=Readiness,
        responses={503: {"description": "Something is unreachable.", "model": Readiness}},
    )
    def readyz() -> JSONResponse:
        checks = {"database": _check_database(engine), "redis": _check_redis()}
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    def metrics() -> PlainTextResponse:
        for observe in on_scrape:
            try:
                observe()
            except Exception:
                log.warning("a metrics probe failed", exc_info=True)
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _check_database(engine: Callable[[], Engine]) -> str:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        redis_for(get_settings().cohort_redis_url).ping()
        return "ok"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    engine: Callable[[], Engine],
    routers: Sequence[APIRouter],
    on_startup: Sequence[Callable[[], Any]] = (),
    on_shutdown: Sequence[Callable[[], Any]] = (),
    on_scrape: Sequence[Callable[[], None]] = (),
    refuse: Sequence[RevocationCheck] = (),
) -> FastAPI:
    """Build a service's FastAPI app with docs served offline, health, metrics and request ids;
    its bearer tokens are refused when a `refuse` check says they were revoked."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for start in on_startup:
            start()
        yield
        for stop in on_shutdown:
            stop()

    app = FastAPIOffline(title=title, description=description, version="1.0.0", lifespan=lifespan)
    for check in refuse:
        refuse_when(app, check)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware, service=service)
    health = _health_router(engine, on_scrape)
    add_error_handlers(app, [health, *routers])
    app.include_router(health)
    for router in routers:
        app.include_router(router)
    return app
