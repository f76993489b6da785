"""Offering tables and models: venues, meetings, offerings and their request/response forms."""

from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from services.registry.models import Format, RegistryTable, Status
from shared.columns import instant_field, stamp_field
from shared.validation import Id, Line, Paragraph, UsState, WebLink, Zone

# --- venues and meetings --------------------------------------------------------------------


# Where an in-person or hybrid offering meets.
class Venue(SQLModel):
    name: Line = Field(min_length=1, max_length=200, schema_extra={"examples": ["Central Library"]})
    address: Line = Field(
        min_length=1, max_length=300, schema_extra={"examples": ["96 S Grant Ave"]}
    )
    city: Line = Field(min_length=1, max_length=100, schema_extra={"examples": ["Columbus"]})
    state: UsState = Field(max_length=2, schema_extra={"examples": ["OH"]})


_LOCAL_TIME_HELP = (
    "Local wall time in the offering's zone, e.g. 2027-03-10T09:00. A time the clocks skip is "
    "refused; a time that happens twice needs its offset, e.g. 2027-11-07T01:30-05:00."
)


# A new meeting: local start and end in the offering's zone.
class MeetingCreate(SQLModel):
    starts_at: Line = Field(
        max_length=40, description=_LOCAL_TIME_HELP, schema_extra={"examples": ["2027-03-10T09:00"]}
    )
    ends_at: Line = Field(
        max_length=40, description=_LOCAL_TIME_HELP, schema_extra={"examples": ["2027-03-10T12:00"]}
    )


# A meeting in a PATCH: with `id` it keeps (or moves) that meeting, without it is new.
class MeetingChange(MeetingCreate):
    id: Id | None = Field(default=None, description="Id of an existing meeting to keep or move.")


# A stored meeting: UTC instants (the zone is the offering's).
class Meeting(RegistryTable, table=True):
    __tablename__ = "meetings"
    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(foreign_key="offerings.id", index=True)
    starts_at_utc: datetime = instant_field()
    ends_at_utc: datetime = instant_field()


# A meeting as the API shows it: local times with offset and their UTC twins.
class MeetingPublic(SQLModel):
    id: int
    starts_at: datetime
    starts_at_utc: datetime
    ends_at: datetime
    ends_at_utc: datetime
    timezone: str


OFFERING_EXAMPLE: dict[str, Any] = {
    "program_code": "implicit-bias",
    "title": "Implicit Bias, spring cohort",
    "format": "in_person",
    "timezone": "America/New_York",
    "venue": {
        "name": "Central Library",
        "address": "96 S Grant Ave",
        "city": "Columbus",
        "state": "OH",
    },
    "capacity": 20,
    "max_cohorts": 2,
    "meetings": [
        {"starts_at": "2027-03-10T09:00", "ends_at": "2027-03-10T12:00"},
        {"starts_at": "2027-03-17T09:00", "ends_at": "2027-03-17T12:00"},
    ],
    "registration_closes_at": "2027-03-08T17:00",
}


# --- offerings ------------------------------------------------------------------------------


# Fields of an offering shared by the request, the table and the response.
class OfferingBase(SQLModel):
    title: Line = Field(min_length=1, max_length=200, schema_extra={"examples": ["Implicit Bias"]})
    description: Paragraph = Field(default="", max_length=5000)
    format: Format = Field(sa_type=String(16), schema_extra={"examples": ["in_person"]})
    timezone: Zone = Field(
        max_length=64,
        description="IANA zone of the meetings (Region/City, or UTC).",
        schema_extra={"examples": ["America/New_York"]},
    )
    join_url: WebLink | None = Field(
        default=None,
        max_length=2000,
        description="Required for virtual and hybrid offerings; shown only to the owning "
        "affiliate and the operator.",
    )
    capacity: int = Field(ge=1, le=1000, description="Seats per cohort.")
    max_cohorts: int = Field(default=1, ge=1, le=100, description="Cohorts the offering may open.")


# What an affiliate sends to create an offering (a draft until published).
class OfferingCreate(OfferingBase):
    affiliate_id: int | None = Field(
        default=None,
        ge=1,
        le=2**63 - 1,
        description="The affiliate posting it; needed only by members of several affiliates.",
    )
    program_code: Line = Field(max_length=64, schema_extra={"examples": ["implicit-bias"]})
    venue: Venue | None = Field(default=None, description="Required for in_person and hybrid.")
    meetings: list[MeetingCreate] = Field(min_length=1, max_length=100)
    registration_closes_at: Line | None = Field(
        default=None,
        max_length=40,
        description=f"{_LOCAL_TIME_HELP} Without it, registration closes when the first "
        "meeting starts.",
    )


def _not_nullable(schema: dict[str, Any]) -> None:
    """Show a field that may be left out but not sent as null (None means "not sent")."""
    schema.update(*(branch for branch in schema.pop("anyOf") if branch.get("type") != "null"))


_NOT_NULL: dict[str, Any] = {"json_schema_extra": _not_nullable}


# A partial change: only the fields sent are changed; `null` clears an optional field.
class OfferingUpdate(SQLModel):
    title: Line | None = Field(default=None, min_length=1, max_length=200, schema_extra=_NOT_NULL)
    description: Paragraph | None = Field(default=None, max_length=5000)
    venue: Venue | None = None
    join_url: WebLink | None = Field(default=None, max_length=2000)
    capacity: int | None = Field(default=None, ge=1, le=1000, schema_extra=_NOT_NULL)
    max_cohorts: int | None = Field(default=None, ge=1, le=100, schema_extra=_NOT_NULL)
    meetings: list[MeetingChange] | None = Field(
        default=None, min_length=1, max_length=100, schema_extra=_NOT_NULL
    )
    registration_closes_at: Line | None = Field(default=None, max_length=40)

    @field_validator("title", "capacity", "max_cohorts", "meetings")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


# The stored offering: UTC instants, the zone, and the span of its meetings for ordering.
class Offering(OfferingBase, RegistryTable, table=True):
    __tablename__ = "offerings"
    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(foreign_key="affiliates.id", index=True)
    program_id: int = Field(foreign_key="programs.id", index=True)
    status: str = Field(default="draft", max_length=16, index=True)
    venue_name: str | None = Field(default=None, max_length=200)
    venue_address: str | None = Field(default=None, max_length=300)
    venue_city: str | None = Field(default=None, max_length=100)
    venue_state: str | None = Field(default=None, max_length=2)
    registration_closes_at_utc: datetime | None = instant_field(default=None, nullable=True)
    first_starts_at_utc: datetime = instant_field(index=True)
    last_ends_at_utc: datetime = instant_field()
    cancel_reason: str | None = Field(default=None, max_length=500)
    # Replicas' clocks disagree; consumers order the offering's states by this counter instead.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = stamp_field()
    updated_at: datetime = stamp_field()


# An offering as the API shows it, with its program, affiliate and meetings.
class OfferingPublic(OfferingBase):
    id: int
    status: Status
    affiliate_id: int
    affiliate_name: str
    affiliate_state: str
    program_code: str
    program_title: str
    sensitive: bool
    facilitators_required: int
    pd_hours: float
    completion_percent: int = 100
    venue: Venue | None
    registration_closes_at: datetime | None
    registration_closes_at_utc: datetime | None
    meetings: list[MeetingPublic]
    cancel_reason: str | None
    version: int = Field(description="1 when created, one more on every change.")
    created_at: datetime
    updated_at: datetime


# A page of offerings, ordered by first meeting.
class OfferingsPublic(SQLModel):
    items: list[OfferingPublic]
    total: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


# The outcome of publishing or cancelling.
class OfferingStatusPublic(SQLModel):
    id: int
    status: Status


# Why an offering is cancelled (passed on to everyone booked on it).
class OfferingCancel(SQLModel):
    reason: Line = Field(default="", max_length=500, schema_extra={"examples": ["Venue closed"]})
