"""Column helpers every service's tables use: instants are always stored with their zone (UTC)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


def stamp_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column that defaults to now."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kwargs)


def instant_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def as_utc(instant: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already (SQLite drops zones)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)
