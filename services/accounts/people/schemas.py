"""What the people routes take and answer."""

from typing import Literal

from pydantic import BaseModel, Field

from services.accounts.access import MemberRole as MemberRole
from shared.validation import Email, Line, Zone

# The languages Cohort's pages and mail are written in.
Locale = Literal["en", "es"]
# `invited` until the person has proven their address by redeeming a code, `active` after.
PersonStatus = Literal["invited", "active"]


# One of a person's roles: operator, educator, facilitator, or affiliate (with affiliate_id and
# member_role).
class RolePublic(BaseModel):
    role: Literal["operator", "affiliate", "educator", "facilitator"]
    affiliate_id: int | None = None
    member_role: MemberRole | None = None


# A person as they and the services see them.
class PersonPublic(BaseModel):
    id: int
    name: str | None
    email: str
    timezone: str | None = None
    locale: Locale = "en"
    status: PersonStatus = "active"
    roles: list[RolePublic]


# A page of people.
class PeoplePublic(BaseModel):
    items: list[PersonPublic]
    total: int


# A person to add (the scheduler's educators and facilitators): unproven until they sign in.
class PersonCreate(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Ana Ruiz"])
    email: Email = Field(max_length=254, examples=["ana@example.org"])
    timezone: Zone | None = Field(default=None, max_length=64, examples=["America/Chicago"])
    locale: Locale = "en"
    role: Literal["educator", "facilitator"] = Field(
        default="educator", description="facilitator also mails an invitation; educator nothing."
    )


# The person added (or already there), and whether they have proven their address.
class PersonCreated(BaseModel):
    id: int
    name: str | None
    email: str
    status: PersonStatus


# What a person may change about themselves (a field left out, or null, stays as it is).
class PersonUpdate(BaseModel):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    timezone: Zone | None = Field(default=None, max_length=64)
    locale: Locale | None = None
