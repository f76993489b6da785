"""Request and response models of completion and credit."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.validation import Line


class CompletedRegistration(BaseModel):
    """A registration that completed, and the credit it earned."""

    registration_id: int
    educator_id: int
    credit_id: int


class NotCompletedRegistration(BaseModel):
    """A registration below the program's completion rule."""

    registration_id: int
    attended_percent: int = Field(ge=0, le=100)


class FinalisedCohort(BaseModel):
    """The outcome of finalising a cohort's attendance (the same on every repeat)."""

    cohort_id: int
    completed: list[CompletedRegistration]
    not_completed: list[NotCompletedRegistration]


class CreditPublic(BaseModel):
    """One PD credit as its educator and the operator see it."""

    id: int
    educator_id: int
    registration_id: int
    offering_id: int
    program_code: str
    title: str
    affiliate_name: str
    hours: float
    completed_on: date
    certificate_id: str | None
    status: Literal["valid", "revoked"]
    revoked_reason: str | None = None


class CreditsPublic(BaseModel):
    """A page of credits, with the total hours of the valid ones."""

    items: list[CreditPublic]
    total: int
    hours_total: float


class Revocation(BaseModel):
    """Why a credit is revoked."""

    reason: Line = Field(min_length=1, max_length=500)
