"""How often one address, and one client, may ask for a sign-in link (counters in Redis).

Limits are in the `limits` notation (`3/15 minutes`); a refused request does not count.
"""

import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _limiter(redis_url: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(RedisStorage(redis_url))


def limiter() -> MovingWindowRateLimiter:
    """The process's limiter on the settings' Redis."""
    return _limiter(get_settings().cohort_redis_url)


def _rules(address: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
    settings = get_settings()
    return [
        (parse(settings.cohort_sign_in_limit_per_address), "sign-in-address", address),
        (parse(settings.cohort_sign_in_limit_per_ip), "sign-in-client", client),
    ]


def admit_sign_in(*, address: str, client: str) -> int | None:
    """Count one request for this address from this client; None when admitted, else the
    seconds until the caller may ask again."""
    rules = _rules(address, client)
    current = limiter()
    waits = []
    for item, kind, key in rules:
        if not current.test(item, kind, key):
            reset = current.get_window_stats(item, kind, key).reset_time
            waits.append(max(1, math.ceil(reset - time.time())))
    if waits:
        return max(waits)
    for item, kind, key in rules:
        current.hit(item, kind, key)
    return None
