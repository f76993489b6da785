"""What the operator and affiliate-member routes take and answer."""

from pydantic import BaseModel, Field

from services.accounts.people.schemas import MemberRole, PersonCreated, PersonStatus
from shared.validation import Email, Line


# Someone to make an operator.
class OperatorCreate(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Olga Operator"])
    email: Email = Field(max_length=254, examples=["olga@example.org"])


# The operator made (a person; `invited` until they sign in).
class OperatorCreated(PersonCreated):
    pass


# Someone to make a member of an affiliate.
class MemberCreate(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Mia Member"])
    email: Email = Field(max_length=254, examples=["mia@example.org"])
    member_role: MemberRole


# A member of an affiliate.
class MemberPublic(BaseModel):
    person_id: int
    name: str | None
    email: str
    member_role: MemberRole
    status: PersonStatus


# A page of an affiliate's members.
class MembersPublic(BaseModel):
    items: list[MemberPublic]
    total: int
