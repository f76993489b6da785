"""One Redis connection pool per broker URL and process, for publishing, probes and counters."""

from functools import lru_cache

import redis


@lru_cache(maxsize=8)
def redis_for(url: str) -> redis.Redis:
    """The process's Redis client for `url` (short timeouts: callers fall back or report)."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
