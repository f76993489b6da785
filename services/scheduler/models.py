"""The scheduler's tables: people, the offering projection, cohorts, registrations, assignments."""

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.columns import instant_field, stamp_field
from shared.columns import utcnow as utcnow

ACTIVE_REGISTRATION = text("status IN ('confirmed', 'waitlisted')")
ACTIVE_ASSIGNMENT = text("status = 'active'")


class SchedulerTable(SQLModel, registry=registry()):
    """Base of the scheduler's tables (its own metadata)."""


class Educator(SchedulerTable, table=True):
    """A teacher who registers for offerings (emails unique case-insensitively by email_key)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, unique=True)
    timezone: str | None = Field(default=None, max_length=64)
    # The language of their mail; accounts' `person.updated` keeps it current.
    locale: str = Field(default="en", max_length=8, sa_column_kwargs={"server_default": "en"})
    affiliate_id: int | None = None
    created_at: datetime = stamp_field()
    # When accounts last changed their name, zone or language (older changes are ignored).
    person_updated_at: datetime | None = instant_field(default=None)


class Facilitator(SchedulerTable, table=True):
    """A trainer who leads cohorts, with certifications, home state, availability and a cap."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, unique=True)
    timezone: str = Field(max_length=64)
    locale: str = Field(default="en", max_length=8, sa_column_kwargs={"server_default": "en"})
    person_updated_at: datetime | None = instant_field(default=None)
    certifications: list[str] = Field(default_factory=list, sa_type=JSON)
    home_state: str = Field(max_length=2)
    max_sessions_per_month: int
    availability: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # An affiliate's own facilitator serves only its offerings until an operator shares them.
    affiliate_id: int | None = None
    shared: bool = False
    # Booked only once they have proven their address (redeemed their invitation or a sign-in).
    verified: bool = False
    created_at: datetime = stamp_field()


class Offering(SchedulerTable, table=True):
    """The registry's offering as last applied (its ids); its row orders seat decisions."""

    PUBLISHED: ClassVar[Literal["published"]] = "published"
    CANCELLED: ClassVar[Literal["cancelled"]] = "cancelled"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(max_length=16)
    affiliate_id: int = Field(index=True)
    affiliate_name: str
    affiliate_contact_email: str | None = Field(default=None, max_length=320)
    affiliate_state: str = Field(max_length=2)
    program_code: str = Field(max_length=64)
    program_title: str
    sensitive: bool = False
    facilitators_required: int = 1
    pd_hours: float = 0.0
    completion_percent: int = Field(default=100, sa_column_kwargs={"server_default": "100"})
    title: str
    description: str = ""
    format: str = Field(max_length=16)
    timezone: str = Field(max_length=64)
    venue: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    join_url: str | None = None
    capacity: int
    max_cohorts: int
    registration_closes_at_utc: datetime | None = instant_field(default=None)
    # The registry's version and clock of the last state applied (version 0: not known).
    source_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    source_updated_at: datetime | None = instant_field(default=None)
    updated_at: datetime = stamp_field()


class Meeting(SchedulerTable, table=True):
    """One meeting of an offering (every cohort meets at these times) and its open check-in code."""

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    offering_id: int = Field(foreign_key="offering.id", index=True)
    starts_at_utc: datetime = instant_field(index=True)
    ends_at_utc: datetime = instant_field()
    check_in_code_hash: str | None = Field(default=None, max_length=64, unique=True)
    check_in_code_expires_at: datetime | None = instant_field(default=None)


class Cohort(SchedulerTable, table=True):
    """A group of up to `capacity` educators of one offering, led by its facilitators."""

    __table_args__ = (UniqueConstraint("offering_id", "index"),)
    OPEN: ClassVar[Literal["open"]] = "open"
    NEEDS_FACILITATOR: ClassVar[Literal["needs_facilitator"]] = "needs_facilitator"
    CANCELLED: ClassVar[Literal["cancelled"]] = "cancelled"

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(foreign_key="offering.id", index=True)
    index: int
    status: str = Field(default=OPEN, max_length=24)
    needs_facilitator_reason: str | None = Field(default=None, max_length=40)
    needs_facilitator_detail: str | None = None
    created_at: datetime = stamp_field()
    # When its attendance became final (completions and credits written), by whom or by the sweep.
    finalised_at: datetime | None = instant_field(default=None)


class Registration(SchedulerTable, table=True):
    """An educator's seat (confirmed, in a cohort) or place in line (waitlisted) for an offering."""

    __table_args__ = (
        Index(
            "uq_registration_active",
            "educator_id",
            "offering_id",
            unique=True,
            postgresql_where=ACTIVE_REGISTRATION,
            sqlite_where=ACTIVE_REGISTRATION,
        ),
        Index("ix_registration_offering_status", "offering_id", "status", "waitlist_seq"),
        # The next place in line is max(waitlist_seq) + 1 over every registration ever made
        # for the offering: strictly increasing, read in one index probe.
        Index("ix_registration_offering_seq", "offering_id", "waitlist_seq"),
    )
    CONFIRMED: ClassVar[Literal["confirmed"]] = "confirmed"
    WAITLISTED: ClassVar[Literal["waitlisted"]] = "waitlisted"
    CANCELLED: ClassVar[Literal["cancelled"]] = "cancelled"

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(foreign_key="offering.id")
    educator_id: int = Field(foreign_key="educator.id", index=True)
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    status: str = Field(max_length=16)
    waitlist_seq: int | None = None
    cancel_reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = stamp_field()
    updated_at: datetime = stamp_field()


class IdempotencyKey(SchedulerTable, table=True):
    """The first answer to a registration request, replayed for the same educator and key."""

    __tablename__ = "idempotency_key"

    educator_id: int = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    offering_id: int
    status_code: int
    body: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = stamp_field()


class Assignment(SchedulerTable, table=True):
    """A facilitator leading a cohort (active) or no longer (ended), with why they were chosen."""

    __table_args__ = (
        Index(
            "uq_assignment_active",
            "facilitator_id",
            "cohort_id",
            unique=True,
            postgresql_where=ACTIVE_ASSIGNMENT,
            sqlite_where=ACTIVE_ASSIGNMENT,
        ),
    )
    ACTIVE: ClassVar[Literal["active"]] = "active"
    ENDED: ClassVar[Literal["ended"]] = "ended"

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    status: str = Field(default=ACTIVE, max_length=16)
    role: str = Field(default="lead", max_length=16)
    explanation: str = ""
    end_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = stamp_field()
    ended_at: datetime | None = instant_field(default=None)


class FacilitatorBooking(SchedulerTable, table=True):
    """A facilitator's time taken by a meeting, plus the travel buffer (PostgreSQL refuses
    overlaps: database.py); `city_key` is the venue city folded for comparison ("" when unknown)."""

    __tablename__ = "facilitator_booking"

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", index=True)
    meeting_id: int
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    starts_at: datetime = instant_field()
    ends_at: datetime = instant_field()
    blocked_until: datetime = instant_field()
    in_person: bool = False
    city: str | None = None
    city_key: str = Field(default="", max_length=200)
    active: bool = True


class Attendance(SchedulerTable, table=True):
    """Whether one confirmed educator was at one meeting (minutes attended when partial)."""

    PRESENT: ClassVar[Literal["present"]] = "present"
    ABSENT: ClassVar[Literal["absent"]] = "absent"
    PARTIAL: ClassVar[Literal["partial"]] = "partial"

    # No foreign key to the meeting: a mark outlives a meeting the registry later removes.
    meeting_id: int = Field(primary_key=True)
    registration_id: int = Field(primary_key=True, foreign_key="registration.id", index=True)
    status: str = Field(max_length=16)
    minutes: int | None = None
    marked_by: str = Field(max_length=300)
    marked_at: datetime = stamp_field()


class AttendanceChange(SchedulerTable, table=True):
    """One change of one attendance mark, as the audit keeps it (never updated or deleted)."""

    __tablename__ = "attendance_change"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(index=True)
    registration_id: int = Field(foreign_key="registration.id")
    old_status: str | None = Field(default=None, max_length=16)
    new_status: str = Field(max_length=16)
    old_minutes: int | None = None
    new_minutes: int | None = None
    actor: str = Field(max_length=300)
    how: str = Field(default="marked", max_length=16)
    changed_at: datetime = stamp_field()


class Completion(SchedulerTable, table=True):
    """What share of a finalised cohort one of its confirmed educators attended."""

    registration_id: int = Field(primary_key=True, foreign_key="registration.id")
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    attended_percent: int
    completed: bool


class Credit(SchedulerTable, table=True):
    """One earned credit, append-only: a revocation adds a reversal and never touches it."""

    id: int | None = Field(default=None, primary_key=True)
    # The guard: one registration can never earn twice, whatever ran concurrently.
    registration_id: int = Field(foreign_key="registration.id", unique=True)
    educator_id: int = Field(index=True)
    offering_id: int = Field(foreign_key="offering.id")
    certificate_id: str = Field(max_length=32, unique=True)
    hours: float
    completed_on: date
    created_at: datetime = stamp_field()


class CreditReversal(SchedulerTable, table=True):
    """The entry that revokes a credit (at most one per credit)."""

    __tablename__ = "credit_reversal"

    credit_id: int = Field(primary_key=True, foreign_key="credit.id")
    reason: str = Field(max_length=500)
    revoked_by: str = Field(max_length=300)
    revoked_at: datetime = stamp_field()


class BadgeKey(SchedulerTable, table=True):
    """One Open Badges issuer key pair; the oldest signs, every one is published."""

    __tablename__ = "badge_key"

    kid: str = Field(primary_key=True, max_length=64)
    public_key: str = Field(max_length=100)
    private_key_pem: str = Field(max_length=2000)
    created_at: datetime = stamp_field()
