"""Request and response shapes for educators, facilitators and their assignments."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.scheduler import domain
from shared.validation import Email, Line, RowId, UsState, Zone

Name = Field(min_length=1, max_length=200)
ProgramCode = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


# --- educators ------------------------------------------------------------------------------


class EducatorBase(BaseModel):
    """What an educator tells us about themselves."""

    name: str = Name
    email: str
    timezone: str | None = None
    affiliate_id: int | None = Field(default=None, ge=1)


class EducatorCreate(EducatorBase):
    """Body of POST /educators."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Name
    email: Email
    timezone: Zone | None = None
    affiliate_id: RowId | None = None


class EducatorPublic(EducatorBase):
    """An educator as the API shows it."""

    id: int


# --- facilitators ---------------------------------------------------------------------------


class AvailabilityWindow(BaseModel):
    """A weekly window in the facilitator's own zone: weekday Mon=0..Sun=6, "HH:MM" to "HH:MM"."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6)
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        domain.parse_clock(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "AvailabilityWindow":
        if domain.parse_clock(self.end) <= domain.parse_clock(self.start):
            raise ValueError("end must be after start")
        return self


class FacilitatorBase(BaseModel):
    """What a facilitator's record holds."""

    name: str = Name
    email: str
    timezone: str
    certifications: list[str] = Field(default_factory=list, max_length=50)
    home_state: str
    max_sessions_per_month: int = Field(ge=0, le=200)
    availability: list[AvailabilityWindow] = Field(default_factory=list, max_length=100)


class FacilitatorCreate(FacilitatorBase):
    """Body of POST /facilitators."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Name
    email: Email
    timezone: Zone
    certifications: list[ProgramCode] = Field(default_factory=list, max_length=50)
    home_state: UsState
    affiliate_id: RowId | None = Field(
        default=None,
        description="The affiliate whose own facilitator this is (only its offerings); "
        "left out by an operator, the facilitator joins the shared pool.",
    )

    @field_validator("certifications")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class AvailabilityChange(BaseModel):
    """Body of PUT /facilitators/{facilitator_id}/availability: the new weekly windows."""

    model_config = ConfigDict(extra="forbid")

    availability: list[AvailabilityWindow] = Field(max_length=100)


class CertificationsChange(BaseModel):
    """Body of PUT /facilitators/{facilitator_id}/certifications: the programs they may lead."""

    model_config = ConfigDict(extra="forbid")

    certifications: list[ProgramCode] = Field(max_length=50)

    @field_validator("certifications")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class FacilitatorPublic(FacilitatorBase):
    """A facilitator as the API shows it."""

    id: int
    affiliate_id: int | None = Field(
        default=None, description="The affiliate whose own facilitator this is, if any."
    )
    shared: bool = Field(
        default=False, description="Shared by an operator: leads any affiliate's offerings."
    )
    verified: bool = Field(
        default=False,
        description="Has proven their address (accepted the invitation); booked only then.",
    )


class ReleasedCohort(BaseModel):
    """A cohort the facilitator no longer leads because of the change."""

    cohort_id: int
    offering_id: int
    title: str
    first_meeting_at_utc: datetime | None = Field(
        description="When the first meeting they can no longer lead starts."
    )
    restaffed: bool = Field(description="Another certified facilitator took it at once.")
    needs_facilitator_reason: str | None = Field(
        default=None, description="Why nobody took it, when nobody did."
    )


class ChangedFacilitator(FacilitatorPublic):
    """The facilitator as changed, and the cohorts the change made them give up."""

    released: list[ReleasedCohort] = Field(default_factory=list)


class FacilitatorsPublic(BaseModel):
    """A page of facilitators."""

    items: list[FacilitatorPublic]
    total: int


class MeetingPublic(BaseModel):
    """A meeting with local times (with offset) and their UTC twins."""

    id: int
    starts_at: datetime
    ends_at: datetime
    starts_at_utc: datetime
    ends_at_utc: datetime


class AssignmentPublic(BaseModel):
    """A cohort a facilitator leads, with its meetings."""

    assignment_id: int
    cohort_id: int
    cohort_index: int
    cohort_status: str
    offering_id: int
    title: str
    program_code: str
    format: str
    timezone: str
    venue: dict[str, Any] | None = Field(default=None, description="Where it meets in person.")
    join_url: str | None = Field(default=None, description="Where it meets online.")
    role: str
    status: str
    explanation: str
    meetings: list[MeetingPublic]


class AssignmentsPublic(BaseModel):
    """A page of a facilitator's assignments."""

    items: list[AssignmentPublic]
    total: int


class SharingChange(BaseModel):
    """Body of PUT /facilitators/{facilitator_id}/sharing."""

    model_config = ConfigDict(extra="forbid")

    shared: StrictBool = Field(description="True: any affiliate's offerings; false: only its own.")
