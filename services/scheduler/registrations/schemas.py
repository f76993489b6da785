"""Request and response shapes of registrations and rosters."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.validation import Id

# --- registrations --------------------------------------------------------------------------


class RegistrationCreate(BaseModel):
    """Body of POST /registrations."""

    model_config = ConfigDict(extra="forbid")

    offering_id: Id


class RegistrationPublic(BaseModel):
    """A registration as the API shows it."""

    id: int
    offering_id: int
    educator_id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    cohort_id: int | None
    waitlist_position: int | None
    created_at: datetime


class RegistrationsPublic(BaseModel):
    """A page of registrations."""

    items: list[RegistrationPublic]
    total: int


class RegistrationCancelled(BaseModel):
    """Answer to POST /registrations/{id}/cancel."""

    id: int
    status: Literal["cancelled"] = "cancelled"


# --- availability ---------------------------------------------------------------------------


class Availability(BaseModel):
    """How many seats an offering's open cohorts still have, and how many people wait."""

    offering_id: int
    seats_left: int
    waitlist_length: int


class AvailabilityPublic(BaseModel):
    """Answer to GET /availability: the published offerings asked for that the scheduler knows."""

    items: list[Availability]


# --- roster ---------------------------------------------------------------------------------


class RosterFacilitator(BaseModel):
    """A facilitator leading a cohort."""

    id: int
    name: str
    role: str


class RosterMember(BaseModel):
    """A confirmed educator of a cohort."""

    registration_id: int
    educator_id: int
    name: str
    email: str


class RosterCohort(BaseModel):
    """A cohort on the roster: who leads it, who sits in it, what it still needs."""

    id: int
    index: int
    status: str
    facilitators: list[RosterFacilitator]
    members: list[RosterMember]
    needs_facilitator_reason: str | None = None
    needs_facilitator_detail: str | None = None
    overflow: int = 0


class RosterWaitlisted(BaseModel):
    """A place on the waitlist (1 = next to get a seat)."""

    registration_id: int
    educator_id: int
    position: int
    name: str
    email: str


class RosterPublic(BaseModel):
    """An offering's cohorts and waitlist."""

    offering_id: int
    cohorts: list[RosterCohort]
    waitlist: list[RosterWaitlisted]
