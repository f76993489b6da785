"""Registry tables and the request/response models built on them, one family per entity."""

from datetime import datetime
from typing import Any, Literal

from pydantic import StrictBool, StrictFloat, StrictInt, field_validator, model_validator
from sqlalchemy import JSON, Column, true
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.columns import as_utc, stamp_field
from shared.validation import Email, Line, Paragraph, UsState, Zone

Format = Literal["in_person", "virtual", "hybrid"]
Status = Literal["draft", "published", "cancelled"]
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class RegistryTable(SQLModel, registry=registry()):
    """Base of the registry's tables (its own metadata)."""


# --- affiliates -----------------------------------------------------------------------------


# Shared fields of an affiliate (a state branch of the union).
class AffiliateBase(SQLModel):
    name: Line = Field(min_length=1, max_length=200, schema_extra={"examples": ["Ohio EA"]})
    state: UsState = Field(
        max_length=2, description="Two-letter US state code.", schema_extra={"examples": ["OH"]}
    )
    timezone: Zone = Field(
        max_length=64,
        description="IANA zone name (Region/City, or UTC).",
        schema_extra={"examples": ["America/New_York"]},
    )
    contact_email: Email | None = Field(
        default=None,
        max_length=254,
        description="Where educators and the union reach the affiliate's training staff.",
        schema_extra={"examples": ["training@ohea.example.org"]},
    )


# What the operator sends to register an affiliate.
class AffiliateCreate(AffiliateBase):
    pass


# What the operator may change of an affiliate (at least one field; contact_email may be null).
class AffiliateUpdate(SQLModel):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    contact_email: Email | None = Field(default=None, max_length=254)

    @model_validator(mode="after")
    def _something(self) -> "AffiliateUpdate":
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("an affiliate keeps a name")
        return self


# The stored affiliate (its members and API keys live in the accounts service).
class Affiliate(AffiliateBase, RegistryTable, table=True):
    __tablename__ = "affiliates"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = stamp_field()


# An affiliate as the API shows it.
class AffiliatePublic(AffiliateBase):
    id: int


# A page of affiliates.
class AffiliatesPublic(SQLModel):
    items: list[AffiliatePublic]
    total: int


# --- programs -------------------------------------------------------------------------------


# Shared fields of a training program (what is taught; offerings schedule it).
class ProgramBase(SQLModel):
    code: str = Field(
        min_length=2,
        max_length=64,
        description="Slug: lower-case letters, digits and single hyphens.",
        schema_extra={"pattern": SLUG, "examples": ["implicit-bias"]},
    )
    title: Line = Field(min_length=1, max_length=200, schema_extra={"examples": ["Implicit Bias"]})
    description: Paragraph = Field(default="", max_length=5000)
    facilitators_required: int = Field(default=1, ge=1, le=10)
    max_participants: int = Field(
        default=30, ge=1, le=1000, description="Seats per cohort, at most."
    )
    pd_hours: float = Field(
        default=3.0, ge=0, le=500, description="Professional-development hours."
    )
    sensitive: bool = Field(default=False, description="Hide the title in reminders and feeds.")
    completion_percent: int = Field(
        default=100,
        ge=1,
        le=100,
        sa_column_kwargs={"server_default": "100"},
        description="Share of the scheduled minutes an educator must attend to earn the credit.",
    )
    listed_publicly: bool = Field(
        default=True,
        sa_column_kwargs={"server_default": true()},
        description="Show its offerings in the anonymous catalogue; false shows them only to "
        "people signed in.",
    )


# What the operator sends to add a program.
class ProgramCreate(ProgramBase):
    pass


# The stored program.
class Program(ProgramBase, RegistryTable, table=True):
    __tablename__ = "programs"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = stamp_field()


# What the operator may change of a program (at least one field; null leaves one as it is).
class ProgramUpdate(SQLModel):
    listed_publicly: StrictBool | None = Field(
        default=None, description="See the program's `listed_publicly`."
    )
    title: Line | None = Field(default=None, min_length=1, max_length=200)
    description: Paragraph | None = Field(default=None, max_length=5000)
    pd_hours: StrictFloat | None = Field(default=None, ge=0, le=500)
    completion_percent: StrictInt | None = Field(default=None, ge=1, le=100)
    sensitive: StrictBool | None = Field(default=None, description="See the program's `sensitive`.")

    @model_validator(mode="after")
    def _something(self) -> "ProgramUpdate":
        if not self.model_dump(exclude_none=True):
            raise ValueError("name at least one field to change")
        return self


# A program as the API shows it.
class ProgramPublic(ProgramBase):
    id: int


# A page of programs.
class ProgramsPublic(SQLModel):
    items: list[ProgramPublic]
    total: int


# --- audit ----------------------------------------------------------------------------------


# Shared fields of an audit entry: who did what to an offering, and what changed.
class AuditEntryBase(SQLModel):
    offering_id: int = Field(foreign_key="offerings.id", index=True)
    actor_role: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, description="The person who acted, if a person.")
    actor_name: str | None = Field(default=None, max_length=300, description="Who acted.")
    action: str = Field(max_length=16, description="create, update, publish or cancel.")
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = stamp_field()


# The stored audit entry, written in the same transaction as the change.
class AuditEntry(AuditEntryBase, RegistryTable, table=True):
    __tablename__ = "offering_audit"
    id: int | None = Field(default=None, primary_key=True)


# An audit entry as the API shows it.
class AuditEntryPublic(AuditEntryBase):
    id: int

    @field_validator("at")
    @classmethod
    def _at_in_utc(cls, value: datetime) -> datetime:
        return as_utc(value)


# A page of audit entries, oldest first.
class AuditEntriesPublic(SQLModel):
    items: list[AuditEntryPublic]
    total: int
