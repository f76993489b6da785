"""Parts several events carry: meetings, venues, offerings, recipients and cohorts."""

from datetime import datetime
from typing import Literal

from shared.events.envelope import Contract


class Meeting(Contract):
    """One meeting of an offering: local times with offset, their UTC twins and the zone."""

    id: int
    starts_at: datetime
    ends_at: datetime
    starts_at_utc: datetime
    ends_at_utc: datetime
    timezone: str


class Venue(Contract):
    """Where an in-person or hybrid offering meets."""

    name: str
    address: str
    city: str
    state: str


class Offering(Contract):
    """The full state of an offering as the registry holds it."""

    id: int
    status: Literal["draft", "published", "cancelled"]
    affiliate_id: int
    affiliate_name: str
    affiliate_state: str
    program_code: str
    program_title: str
    sensitive: bool
    facilitators_required: int
    pd_hours: float
    # Share of the scheduled minutes attended that earns the credit (schema 1 events: 100).
    completion_percent: int = 100
    title: str
    description: str = ""
    format: Literal["in_person", "virtual", "hybrid"]
    timezone: str
    venue: Venue | None = None
    join_url: str | None = None
    capacity: int
    max_cohorts: int
    registration_closes_at_utc: datetime | None = None
    meetings: list[Meeting]
    # Where replies to mail about the offering go (the affiliate's contact address), if set.
    affiliate_contact_email: str | None = None
    # The registry's count of changes to the offering (1 when created): consumers ignore a state
    # whose version is not above theirs. 0 means unknown (sent before schema 2 of the offering
    # events); consumers then compare `updated_at`, a replica's wall clock, instead.
    version: int = 0
    updated_at: datetime | None = None


class Recipient(Contract):
    """A person a message goes to: an educator or a facilitator."""

    kind: Literal["educator", "facilitator"]
    id: int
    name: str
    email: str
    timezone: str | None = None
    # The language their mail is written in ("en" or "es").
    locale: str = "en"


class Cohort(Contract):
    """A cohort with everything a message about it needs (title, place, meetings)."""

    id: int
    index: int
    offering_id: int
    affiliate_name: str
    program_code: str
    program_title: str
    sensitive: bool
    title: str
    description: str = ""
    format: Literal["in_person", "virtual", "hybrid"]
    timezone: str
    venue: Venue | None = None
    join_url: str | None = None
    pd_hours: float = 0.0
    meetings: list[Meeting]
    affiliate_contact_email: str | None = None
