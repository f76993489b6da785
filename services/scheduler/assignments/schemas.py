"""Request and response shapes of the batch re-plan."""

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
