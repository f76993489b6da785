"""Event contracts: the envelope, one versioned model per event type, and who subscribes.

Fields are added, never renamed or re-typed; consumers ignore fields they do not know. The models
live in one module per producer (`registry`, `scheduler`, `accounts`); this module is their face.
"""

from shared.events.accounts import (
    AccessRevoked,
    PersonErased,
    PersonUpdated,
    PersonVerified,
    SignInRequested,
)
from shared.events.credits import CompletionEarned, CreditRevoked
from shared.events.envelope import Contract, Envelope, Event, UnknownEventType
from shared.events.parts import Cohort, Meeting, Offering, Recipient, Venue
from shared.events.registry import OfferingCancelled, OfferingPublished, OfferingUpdated
from shared.events.scheduler import (
    CancelReason,
    CohortCancelled,
    CohortUpdated,
    FacilitatorAssigned,
    FacilitatorChanged,
    FacilitatorUnassigned,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)

__all__ = [
    "EVENT_TYPES",
    "SUBSCRIPTIONS",
    "AccessRevoked",
    "CancelReason",
    "Cohort",
    "CohortCancelled",
    "CohortUpdated",
    "CompletionEarned",
    "Contract",
    "CreditRevoked",
    "Envelope",
    "Event",
    "FacilitatorAssigned",
    "FacilitatorChanged",
    "FacilitatorUnassigned",
    "Meeting",
    "Offering",
    "OfferingCancelled",
    "OfferingPublished",
    "OfferingUpdated",
    "PersonErased",
    "PersonUpdated",
    "PersonVerified",
    "Recipient",
    "RegistrationCancelled",
    "RegistrationConfirmed",
    "RegistrationWaitlisted",
    "SignInRequested",
    "UnknownEventType",
    "Venue",
    "consume_task_name",
    "unwrap",
    "wrap",
]

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
        FacilitatorChanged,
        CohortUpdated,
        CohortCancelled,
        SignInRequested,
        AccessRevoked,
        PersonErased,
        PersonVerified,
        PersonUpdated,
        CompletionEarned,
        CreditRevoked,
    )
}

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    OfferingPublished.TYPE: ("scheduler",),
    OfferingUpdated.TYPE: ("scheduler",),
    OfferingCancelled.TYPE: ("scheduler",),
    RegistrationConfirmed.TYPE: ("notifier",),
    RegistrationWaitlisted.TYPE: ("notifier",),
    RegistrationCancelled.TYPE: ("notifier",),
    FacilitatorAssigned.TYPE: ("notifier",),
    FacilitatorUnassigned.TYPE: ("notifier",),
    FacilitatorChanged.TYPE: ("scheduler",),
    CohortUpdated.TYPE: ("notifier",),
    CohortCancelled.TYPE: ("notifier",),
    SignInRequested.TYPE: ("notifier",),
    # Every service that verifies access tokens keeps its own revocation list.
    AccessRevoked.TYPE: ("registry", "scheduler", "notifier"),
    PersonErased.TYPE: ("registry", "scheduler", "notifier"),
    PersonVerified.TYPE: ("scheduler",),
    PersonUpdated.TYPE: ("scheduler", "notifier"),
    CompletionEarned.TYPE: ("notifier",),
    CreditRevoked.TYPE: ("notifier",),
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
