"""What the people routes answer."""

from pydantic import BaseModel


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
    roles: list[RolePublic]
