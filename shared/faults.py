"""Which failures pass by themselves (a database or broker away, a lock timeout), which do not."""

import redis
from sqlalchemy import exc as sa

# A restart or failover of PostgreSQL or Redis, a pool timeout, a lock or serialization timeout.
# psycopg's lock-timeout, deadlock and serialization errors are OperationalErrors too.
_TRANSIENT: tuple[type[BaseException], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,
    sa.PendingRollbackError,
    redis.ConnectionError,
    redis.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """True when trying again later can succeed without anyone changing anything."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _TRANSIENT):
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
