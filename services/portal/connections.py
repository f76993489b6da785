"""What the portal talks to: Redis (sessions) and the public APIs, one client each per process."""

import sys
from dataclasses import dataclass

import httpx
from redis.asyncio import Redis

from services.portal import http_pool
from shared.settings import Settings

# httpcore tries `import sniffio` several times per request to tell asyncio from trio; sniffio
# is not installed, so each try searched the import path again (6% of a catalogue page's CPU).
# Marking it absent makes that import fail at once, and httpcore then assumes asyncio.
sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

# A page waits this long for an API before it says the service is unavailable.
API_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True)
class Connections:
    """The portal's Redis and its HTTP client for each API (base URL set)."""

    redis: Redis
    apis: dict[str, httpx.AsyncClient]
    secure_cookies: bool

    @property
    def accounts(self) -> httpx.AsyncClient:
        """The accounts API."""
        return self.apis["accounts"]

    @property
    def registry(self) -> httpx.AsyncClient:
        """The registry API (offerings, programs)."""
        return self.apis["registry"]

    @property
    def scheduler(self) -> httpx.AsyncClient:
        """The scheduler API (registrations)."""
        return self.apis["scheduler"]

    @property
    def notifier(self) -> httpx.AsyncClient:
        """The notifier API (calendar feeds)."""
        return self.apis["notifier"]

    async def close(self) -> None:
        """Close every client."""
        for client in self.apis.values():
            await client.aclose()
        await self.redis.aclose()


def api_urls(settings: Settings) -> dict[str, str]:
    """The base URL of every API the portal calls."""
    return {
        "accounts": settings.cohort_accounts_url,
        "registry": settings.cohort_registry_url,
        "scheduler": settings.cohort_scheduler_url,
        "notifier": settings.cohort_notifier_url,
    }


def open_connections(settings: Settings) -> Connections:
    """A Redis client and one HTTP client per API, from the settings."""
    redis = Redis.from_url(settings.cohort_redis_url, socket_timeout=3, socket_connect_timeout=3)
    apis = {
        name: http_pool.api_client(url.rstrip("/"), API_TIMEOUT)
        for name, url in api_urls(settings).items()
    }
    secure = settings.cohort_portal_url.lower().startswith("https://")
    return Connections(redis=redis, apis=apis, secure_cookies=secure)
