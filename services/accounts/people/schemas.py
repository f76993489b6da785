"""What the people routes answer."""

from typing import Literal

from pydantic import BaseModel

# The languages Cohort's pages and mail are written in.
Locale = Literal["en", "es"]


# One of a person's roles: operator, affiliate (with affiliate_id, member_role), educator ...
class RolePublic(BaseModel):
    role: str
    affiliate_id: int | None = None
    member_role: str | None = None


# A person as they and the services see them.
class PersonPublic(BaseModel):
    id: int
    name: str | None
    email: str
    timezone: str | None = None
    locale: Locale = "en"
    roles: list[RolePublic]
