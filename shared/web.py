"""The FastAPI app every service builds on: offline docs, health, metrics, request ids, errors."""

import json
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import redis
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import exc as sa
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.broker import redis_for
from shared.errors import CohortError
from shared.logs import correlation_id
from shared.metrics import REQUEST_LATENCY, REQUESTS
from shared.settings import get_settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
RETRY_AFTER_SECONDS = 5
UNREACHABLE: tuple[type[Exception], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,
    redis.ConnectionError,
    redis.TimeoutError,
)
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


def _health_router(
    engine: Callable[[], Engine], on_scrape: Sequence[Callable[[], None]]
) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and Redis reachable")
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


def _cohort_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CohortError)
    return JSONResponse({"detail": exc.detail()}, status_code=exc.status_code)


def _unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    # A database or broker restart is the operator's outage, not the caller's error nor a bug.
    return JSONResponse(
        {"detail": "temporarily unavailable: the database or the broker cannot be reached"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped, so a lone surrogate a caller sent renders."""

    def render(self, content: Any) -> bytes:
        """The content as compact ASCII JSON."""
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode("ascii")


def _plain(value: Any) -> Any:
    """Echoed input made JSON-safe: bytes as text, NaN and infinities by name."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 answer, also for input that JSON cannot carry back as it came."""
    assert isinstance(exc, RequestValidationError)
    detail = jsonable_encoder(_plain(list(exc.errors())))
    return AsciiJSONResponse({"detail": detail}, status_code=422)


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
) -> FastAPI:
    """Build a service's FastAPI app with docs served offline, health, metrics and request ids."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every API verifies tokens and recognises the operator: both secrets or no start.
        get_settings().require("cohort_secret_key", "cohort_admin_token")
        for start in on_startup:
            start()
        yield
        for stop in on_shutdown:
            stop()

    app = FastAPIOffline(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware, service=service)
    app.add_exception_handler(CohortError, _cohort_error_handler)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, _unavailable)

    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.include_router(_health_router(engine, on_scrape))
    for router in routers:
        app.include_router(router)
    return app
