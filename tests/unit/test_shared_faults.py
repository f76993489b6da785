"""Which failures the consumers retry without end and which they park at once."""

import psycopg
import pytest
import redis
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.consumer import retry_delay
from shared.faults import is_transient


def _wrapped(error: Exception) -> Exception:
    try:
        try:
            raise error
        except Exception as inner:
            raise RuntimeError("handler failed") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", None, psycopg.OperationalError("server closed")),
        # A server stopping in fast mode, and one that is starting up again.
        OperationalError("SELECT 1", None, psycopg.errors.AdminShutdown("terminating")),
        OperationalError("SELECT 1", None, psycopg.errors.CannotConnectNow("starting up")),
        redis.ConnectionError("Connection refused"),
        ConnectionRefusedError(111, "refused"),
        TimeoutError("lock timeout"),
        _wrapped(redis.TimeoutError("slow")),
    ],
)
def test_an_unreachable_database_or_broker_is_transient(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", None, psycopg.IntegrityError("duplicate key")),
        ValueError("bad data"),
        KeyError("missing"),
        _wrapped(RuntimeError("a bug")),
    ],
)
def test_a_bug_or_bad_data_is_permanent(error: Exception) -> None:
    assert not is_transient(error)


def test_retries_back_off_to_five_minutes() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 10, 11, 30)] == [0.5, 1, 2, 256, 300, 300]
