"""Request and response shapes of the batch re-plan and of the cohort list."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.columns import as_utc
from shared.validation import Instant


class PlanRequest(BaseModel):
    """Body of POST /assignments/plan: re-plan cohorts whose first meeting starts in the window.

    Times carry an offset (a time without one is read as UTC) and lie in the years 2000 to 2100.
    """

    model_config = ConfigDict(extra="forbid")

    starts_after: Instant
    starts_before: Instant
    time_limit: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _window(self) -> "PlanRequest":
        if as_utc(self.starts_before) <= as_utc(self.starts_after):
            raise ValueError("starts_before must be after starts_after")
        return self


class PlannedCohort(BaseModel):
    """A cohort and the facilitators the plan gives it."""

    cohort_id: int
    facilitator_ids: list[int]


class UnplannedCohort(BaseModel):
    """A cohort the plan could not staff, and why."""

    cohort_id: int
    reason: str


class PlanPublic(BaseModel):
    """What a re-plan decided and changed."""

    assigned: list[PlannedCohort]
    unassigned: list[UnplannedCohort]
    objective: float | None
    status: str
    changed_cohort_ids: list[int]


class CohortLead(BaseModel):
    """A facilitator leading a listed cohort."""

    id: int
    name: str
    role: str


class CohortListed(BaseModel):
    """A cohort as the consoles list it."""

    id: int
    index: int = Field(description="1 for an offering's first cohort.")
    status: str = Field(description="`open`, `needs_facilitator` or `cancelled`.")
    offering_id: int
    offering_title: str
    program_code: str
    affiliate_id: int
    affiliate_name: str
    first_meeting_at_utc: datetime | None
    last_meeting_ends_at_utc: datetime | None
    capacity: int
    seated: int = Field(description="Confirmed educators in this cohort.")
    offering_waitlist: int = Field(description="Educators waiting for a seat in the offering.")
    facilitators: list[CohortLead]
    needs_facilitator_reason: str | None = None
    needs_facilitator_detail: str | None = None


class CohortsListed(BaseModel):
    """A page of cohorts and how many match in all."""

    items: list[CohortListed]
    total: int
