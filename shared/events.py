"""Event contracts: the envelope, one versioned model per event type, and who subscribes.

Fields are added, never renamed or re-typed; consumers ignore fields they do not know.
"""

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
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


# --- parts shared by several events -------------------------------------------------------


class Meeting(Contract):
    """One meeting of an offering: local times with offset, their UTC twins and the zone."""

    id: int
    starts_at: datetime
    ends_at: datetime
    starts_at_utc: datetime
    ends_at_utc: datetime
    timezone: str


class Venue(Contract):
    """Where an in-person or hybrid offering meets."""

    name: str
    address: str
    city: str
    state: str


class Offering(Contract):
    """The full state of an offering as the registry holds it."""

    id: int
    status: Literal["draft", "published", "cancelled"]
    affiliate_id: int
    affiliate_name: str
    affiliate_state: str
    program_code: str
    program_title: str
    sensitive: bool
    facilitators_required: int
    pd_hours: float
    title: str
    description: str = ""
    format: Literal["in_person", "virtual", "hybrid"]
    timezone: str
    venue: Venue | None = None
    join_url: str | None = None
    capacity: int
    max_cohorts: int
    registration_closes_at_utc: datetime | None = None
    meetings: list[Meeting]
    # When the registry last changed the offering: consumers ignore a state older than theirs.
    updated_at: datetime | None = None


class Recipient(Contract):
    """A person a message goes to: an educator or a facilitator."""

    kind: Literal["educator", "facilitator"]
    id: int
    name: str
    email: str
    timezone: str | None = None


class Cohort(Contract):
    """A cohort with everything a message about it needs (title, place, meetings)."""

    id: int
    index: int
    offering_id: int
    affiliate_name: str
    program_code: str
    program_title: str
    sensitive: bool
    title: str
    description: str = ""
    format: Literal["in_person", "virtual", "hybrid"]
    timezone: str
    venue: Venue | None = None
    join_url: str | None = None
    pd_hours: float = 0.0
    meetings: list[Meeting]


# --- registry events (consumed by the scheduler) ------------------------------------------


class OfferingPublished(Event):
    """An affiliate published an offering; it is open for registration."""

    TYPE: ClassVar[str] = "offering.published"
    offering: Offering


class OfferingUpdated(Event):
    """A published offering changed; `changed` names the fields that did."""

    TYPE: ClassVar[str] = "offering.updated"
    offering: Offering
    changed: list[str]
    previous_meetings: list[Meeting] = []


class OfferingCancelled(Event):
    """An offering was cancelled; every registration and assignment falls with it."""

    TYPE: ClassVar[str] = "offering.cancelled"
    offering: Offering
    reason: str = ""


# --- scheduler events (consumed by the notifier) ------------------------------------------

CancelReason = Literal["by_educator", "by_affiliate", "by_operator", "offering_cancelled"]


class RegistrationConfirmed(Event):
    """An educator holds a seat in a cohort (directly, or promoted from the waitlist)."""

    TYPE: ClassVar[str] = "registration.confirmed"
    registration_id: int
    educator: Recipient
    cohort: Cohort
    promoted_from_waitlist: bool = False


class RegistrationWaitlisted(Event):
    """An educator joined an offering's waitlist at a position."""

    TYPE: ClassVar[str] = "registration.waitlisted"
    registration_id: int
    educator: Recipient
    offering_id: int
    offering_title: str
    program_title: str
    sensitive: bool
    timezone: str
    position: int
    meetings: list[Meeting]


class RegistrationCancelled(Event):
    """A registration ended; `cohort` is set when it held a seat (its meetings need CANCELs)."""

    TYPE: ClassVar[str] = "registration.cancelled"
    registration_id: int
    educator: Recipient
    offering_id: int
    previous_status: Literal["confirmed", "waitlisted"]
    reason: CancelReason
    cohort: Cohort | None = None


class FacilitatorAssigned(Event):
    """A facilitator was booked to lead a cohort."""

    TYPE: ClassVar[str] = "facilitator.assigned"
    assignment_id: int
    facilitator: Recipient
    cohort: Cohort
    role: str = "lead"
    explanation: str = ""


class FacilitatorUnassigned(Event):
    """A facilitator no longer leads a cohort."""

    TYPE: ClassVar[str] = "facilitator.unassigned"
    assignment_id: int
    facilitator: Recipient
    cohort: Cohort
    reason: str
    # Why, in words (e.g. which constraint the new meeting times break).
    detail: str = ""


class CohortUpdated(Event):
    """A cohort's meetings, place or link changed; `recipients` are everyone now booked on it."""

    TYPE: ClassVar[str] = "cohort.updated"
    cohort: Cohort
    changed: list[str]
    meetings_added: list[int] = []
    meetings_moved: list[int] = []
    meetings_removed: list[Meeting] = []
    recipients: list[Recipient]


class CohortCancelled(Event):
    """A cohort will not meet; `recipients` are everyone who was booked on it."""

    TYPE: ClassVar[str] = "cohort.cancelled"
    cohort: Cohort
    reason: str
    recipients: list[Recipient]


EVENT_TYPES: dict[str, type[Event]] = {
    model.TYPE: model
    for model in (
        OfferingPublished,
        OfferingUpdated,
        OfferingCancelled,
        RegistrationConfirmed,
        RegistrationWaitlisted,
        RegistrationCancelled,
        FacilitatorAssigned,
        FacilitatorUnassigned,
        CohortUpdated,
        CohortCancelled,
    )
}

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "offering.published": ("scheduler",),
    "offering.updated": ("scheduler",),
    "offering.cancelled": ("scheduler",),
    "registration.confirmed": ("notifier",),
    "registration.waitlisted": ("notifier",),
    "registration.cancelled": ("notifier",),
    "facilitator.assigned": ("notifier",),
    "facilitator.unassigned": ("notifier",),
    "cohort.updated": ("notifier",),
    "cohort.cancelled": ("notifier",),
}


def consume_task_name(service: str) -> str:
    """Name of the Celery task through which a service receives its events."""
    return f"{service}.consume_event"


def wrap(event: Event, *, producer: str, correlation_id: str | None = None) -> Envelope:
    """Put an event in a new envelope."""
    return Envelope(
        type=event.TYPE,
        schema_version=event.VERSION,
        producer=producer,
        correlation_id=correlation_id,
        data=event.model_dump(mode="json"),
    )


def unwrap(envelope: Envelope) -> Event:
    """Parse an envelope's data into its event model (unknown fields ignored)."""
    model = EVENT_TYPES.get(envelope.type)
    if model is None:
        raise UnknownEventType(envelope.type)
    return model.model_validate(envelope.data)


class UnknownEventType(ValueError):
    """An envelope named a type this code does not know."""
