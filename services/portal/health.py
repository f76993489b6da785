"""GET /healthz: the portal can serve when Redis and every API it calls answer."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.portal.connections import Connections

router = APIRouter(tags=["health"])
PROBE_TIMEOUT = 3.0


async def _redis(connections: Connections) -> str:
    try:
        await asyncio.wait_for(connections.redis.ping(), PROBE_TIMEOUT)
        return "ok"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"


async def _api(connections: Connections, name: str) -> str:
    try:
        response = await connections.apis[name].get("/healthz", timeout=PROBE_TIMEOUT)
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok" if response.status_code == 200 else f"answered {response.status_code}"


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 with every check ok, else 503 saying which failed."""
    connections: Connections = request.app.state.connections
    names = list(connections.apis)
    results = await asyncio.gather(_redis(connections), *(_api(connections, n) for n in names))
    checks = dict(zip(["redis", *names], results, strict=True))
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
