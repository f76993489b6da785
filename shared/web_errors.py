"""How every service answers errors: domain errors, outages, invalid input, other HTTP errors."""

import json
import math
from collections.abc import Sequence
from typing import Any

import redis
from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import exc as sa
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.types import Scope

from shared.errors import CohortError

RETRY_AFTER_SECONDS = 5
UNREACHABLE: tuple[type[Exception], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,
    redis.ConnectionError,
    redis.TimeoutError,
)


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


def allowed_methods(routes: Sequence[Route], scope: Scope) -> str:
    """Every method the routes serve at the request's path, as a 405's Allow header lists them."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception, routes: Sequence[Route]) -> Response:
    """FastAPI's answer to an HTTPException, with two corrections: see the comments."""
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    # FastAPI answers JSON it cannot parse with 422, but bytes it cannot decode with a bare 400.
    if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError):
        error = {
            "type": "json_invalid",
            "loc": ["body", cause.start],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": "the body is not UTF-8 text"},
        }
        return _validation_error_handler(request, RequestValidationError([error]))
    # Starlette's 405 lists the methods of the first route at the path only (POST of
    # /registrations, not its GET); RFC 9110 wants all of them.
    if exc.status_code == 405:
        headers = {**(exc.headers or {}), "Allow": allowed_methods(routes, request.scope)}
        exc = StarletteHTTPException(405, exc.detail, headers=headers)
    return await http_exception_handler(request, exc)


def add_error_handlers(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Install every error answer on a service's app, whose routes come from `routers`."""
    routes = [
        route
        for route in [*app.router.routes, *(r for router in routers for r in router.routes)]
        if isinstance(route, Route)
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        return await _http_error(request, exc, routes)

    app.add_exception_handler(CohortError, _cohort_error_handler)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, _unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error)
