"""What the API-key routes take and answer."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from services.accounts.access import MemberRole
from shared.validation import Line, RowId


# A key to make: personal (acts as its maker) or, with `affiliate_id`, for an affiliate.
class ApiKeyCreate(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["nightly sync"])
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    affiliate_id: RowId | None = None
    member_role: MemberRole | None = Field(
        default=None, description="An affiliate key acts as a member of this role (editor)."
    )

    @model_validator(mode="after")
    def _member_role_needs_an_affiliate(self) -> Self:
        if self.member_role is not None and self.affiliate_id is None:
            raise ValueError("member_role is only for an affiliate key: give affiliate_id too")
        return self


# A key as listed: never the key itself.
class ApiKeyPublic(BaseModel):
    id: int
    name: str
    affiliate_id: int | None
    member_role: MemberRole | None
    created_at: datetime
    expires_at: datetime | None


# A new key: `key` is shown this once (only its hash is kept).
class ApiKeyCreated(ApiKeyPublic):
    key: str


# A page of keys.
class ApiKeysPublic(BaseModel):
    items: list[ApiKeyPublic]
    total: int
