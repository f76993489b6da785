"""The envelope every event travels in, and the base of every event's data."""

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """Base for event payload parts: unknown fields are ignored so producers can add fields."""

    model_config = ConfigDict(extra="ignore")


class Envelope(Contract):
    """What travels on the bus: identity, type and version of an event around its data."""

    event_id: UUID = Field(default_factory=uuid4)
    type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str
    correlation_id: str | None = None
    data: dict[str, Any]


class Event(Contract):
    """Base for an event's data; subclasses name their type and schema version."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


class UnknownEventType(ValueError):
    """An envelope named a type this code does not know."""
