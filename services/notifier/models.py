"""The notifier's tables (bookings projection, delivery ledger, reminders, feed secrets,
certificates) and its API models."""

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel
from sqlalchemy import JSON, Index, LargeBinary, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.columns import instant_field, stamp_field


class NotifierTable(SQLModel, registry=registry()):
    """Base of the notifier's tables (its own metadata)."""


class Booking(NotifierTable, table=True):
    """One recipient's place at one meeting: the iTIP object (UID, SEQUENCE) in their calendar."""

    __table_args__ = (UniqueConstraint("recipient_kind", "recipient_id", "meeting_id"),)
    ACTIVE: ClassVar[str] = "active"
    CANCELLED: ClassVar[str] = "cancelled"

    id: int | None = Field(default=None, primary_key=True)
    recipient_kind: str = Field(max_length=16)
    recipient_id: int
    recipient_email: str = Field(max_length=320)
    recipient_name: str = Field(max_length=200)
    recipient_timezone: str | None = Field(default=None, max_length=64)
    # The language of their mail ("en", "es"); `person.updated` keeps it current.
    recipient_locale: str = Field(
        default="en", max_length=8, sa_column_kwargs={"server_default": "en"}
    )
    meeting_id: int
    cohort_id: int = Field(index=True)
    offering_id: int
    # What holds the seat: "registration:<id>" or "assignment:<id>"; a cancelled source is final.
    source: str = Field(default="", max_length=64, index=True)
    uid: str = Field(max_length=255)
    sequence: int = 0
    status: str = Field(default=ACTIVE, max_length=16)
    starts_at: datetime = instant_field()
    ends_at: datetime = instant_field()
    timezone: str = Field(max_length=64)
    title: str
    description: str = ""
    program_title: str = ""
    affiliate_name: str = ""
    sensitive: bool = False
    location: str | None = None
    join_url: str | None = None
    pd_hours: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    # The affiliate's contact address: replies to mail about the booking go there.
    reply_to: str | None = Field(default=None, max_length=320)
    # When accounts last changed the recipient's name, zone or language (`person.updated`).
    person_updated_at: datetime | None = instant_field(default=None)
    updated_at: datetime = stamp_field()


class Ended(NotifierTable, table=True):
    """Something final ("cohort:7", "registration:12", "assignment:3"): later events about it
    (redelivered or arriving out of order) book nobody."""

    key: str = Field(primary_key=True, max_length=64)
    ended_at: datetime = stamp_field()


class Delivery(NotifierTable, table=True):
    """One outgoing message in the ledger: queued → sending → sent | failed."""

    __table_args__ = (
        UniqueConstraint("recipient", "meeting_id", "kind", "sequence", "variant"),
        Index("ix_delivery_status_due", "status", "next_attempt_at"),
    )
    QUEUED: ClassVar[str] = "queued"
    SENDING: ClassVar[str] = "sending"
    SENT: ClassVar[str] = "sent"
    FAILED: ClassVar[str] = "failed"
    STATUSES: ClassVar[tuple[str, ...]] = (QUEUED, SENDING, SENT, FAILED)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=320, index=True)
    # Whom the message is for when known (not for sign-in mail): erasure finds their rows by it.
    person_id: int | None = Field(default=None, index=True)
    meeting_id: int = 0
    kind: str = Field(max_length=32)
    sequence: int = 0
    # Tells apart messages sharing the rest of the key (a reminder's offset, a notice's source).
    variant: str = Field(default="", max_length=64)
    method: str | None = Field(default=None, max_length=16)
    uid: str | None = Field(default=None, max_length=255)
    status: str = Field(default=QUEUED, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = stamp_field()
    dispatched_at: datetime | None = instant_field(default=None)
    claim: str | None = Field(default=None, max_length=36)
    lease_until: datetime | None = instant_field(default=None)
    error: str | None = None
    correlation_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = stamp_field()
    sent_at: datetime | None = instant_field(default=None)
    message: bytes = Field(sa_type=LargeBinary)
    # Past its retention period a finished message keeps its headers only, and the hash of
    # what was sent, so the ledger still proves which message went out without its contents.
    message_sha256: str | None = Field(default=None, max_length=64)
    trimmed_at: datetime | None = instant_field(default=None)


class Reminder(NotifierTable, table=True):
    """A reminder due before a booked meeting, recomputed whenever the booking changes."""

    __table_args__ = (
        UniqueConstraint("booking_id", "offset_label"),
        Index("ix_reminder_status_due", "status", "due_at"),
    )
    PENDING: ClassVar[str] = "pending"
    SENT: ClassVar[str] = "sent"
    SKIPPED: ClassVar[str] = "skipped"
    CANCELLED: ClassVar[str] = "cancelled"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    offset_label: str = Field(max_length=16)
    before_seconds: int
    due_at: datetime = instant_field()
    # The booking's sequence the due time was computed for; a mismatch at send time means a move.
    sequence: int = 0
    status: str = Field(default=PENDING, max_length=16)
    sent_at: datetime | None = instant_field(default=None)
    delivery_id: int | None = None


class FeedSecret(NotifierTable, table=True):
    """A person's one live calendar-feed secret: found by its SHA-256, kept so that the person
    can be shown their feed URL again (it grants reading that one calendar, nothing else)."""

    __tablename__ = "feed_secret"

    person_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    secret_sha256: str = Field(max_length=64, unique=True)
    secret: str = Field(max_length=64)
    created_at: datetime = stamp_field()


class Certificate(NotifierTable, table=True):
    """One credit's certificate, as `completion.earned` described it: what its PDF and
    `GET /verify/{certificate_id}` show. Erasure blanks the educator's name and keeps the rest."""

    VALID: ClassVar[str] = "valid"
    REVOKED: ClassVar[str] = "revoked"

    id: str = Field(primary_key=True, max_length=64)
    credit_id: int = Field(unique=True)
    person_id: int = Field(index=True)
    educator_name: str = Field(max_length=200)
    locale: str = Field(default="en", max_length=8)
    program_title: str
    offering_title: str = ""
    affiliate_name: str = ""
    sensitive: bool = False
    hours: float
    completed_on: date
    facilitator_names: list[str] = Field(default_factory=list, sa_type=JSON)
    # The local dates of the cohort's meetings, ISO ("2026-11-03").
    meeting_dates: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default=VALID, max_length=16)
    revoked_at: datetime | None = instant_field(default=None)
    revoked_reason: str | None = None
    created_at: datetime = stamp_field()


# --- API models ----------------------------------------------------------------------------


class DeliveryPublic(BaseModel):
    """One ledger row as operators see it."""

    id: int
    recipient: str
    kind: str
    status: str
    method: str | None
    uid: str | None
    sequence: int
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    error: str | None
    meeting_id: int
    next_attempt_at: datetime | None


class DeliveriesPublic(BaseModel):
    """A page of ledger rows."""

    items: list[DeliveryPublic]
    total: int


class FeedPublic(BaseModel):
    """Where a person's live calendar feed is read: over https and as a webcal subscription."""

    url: str
    webcal_url: str


class VerificationPublic(BaseModel):
    """What anyone may learn of a certificate: whether it holds, and what it certifies."""

    status: str
    educator_name: str
    program_title: str
    hours: float
    completed_on: date
    affiliate_name: str
