"""The accounts service's tables: people and their roles, sign-in codes, sessions, API keys and
signing keys."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.columns import instant_field, stamp_field


class AccountsTable(SQLModel, registry=registry()):
    """Base of the accounts service's tables (its own metadata)."""


# A person, keyed by address (lower-case, unique): made by redeeming a sign-in code, or invited
# (added by an operator or an affiliate) and unproven, `verified_at` null, until a code is redeemed.
class Person(AccountsTable, table=True):
    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str = Field(default="en", max_length=8)
    created_at: datetime = stamp_field()
    verified_at: datetime | None = instant_field(default=None)


# A role granted to a person: operator, facilitator, or affiliate (with the affiliate's id and
# the member role). Educator is no row: every proven person is one. NULLs are not distinct in the
# unique key, so a person holds operator or facilitator once.
class PersonRole(AccountsTable, table=True):
    __tablename__ = "person_roles"
    __table_args__ = (
        UniqueConstraint(
            "person_id",
            "role",
            "affiliate_id",
            name="uq_person_roles_person_role_affiliate",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    role: str = Field(max_length=16)
    affiliate_id: int | None = Field(default=None, index=True)
    member_role: str | None = Field(default=None, max_length=16)
    created_at: datetime = stamp_field()


# A one-time sign-in code: only its SHA-256 is kept; used once, before `expires_at`. The name,
# zone and language are what a new account takes when the code proves its address.
class SignInCode(AccountsTable, table=True):
    __tablename__ = "sign_in_codes"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=254, index=True)
    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str = Field(default="en", max_length=8)
    created_at: datetime = stamp_field()
    expires_at: datetime = instant_field()
    used_at: datetime | None = instant_field(default=None)


# A signed-in session: an opaque token (kept as its SHA-256) exchanged for access tokens.
class AccountSession(AccountsTable, table=True):
    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    created_at: datetime = stamp_field()
    expires_at: datetime = instant_field()
    revoked_at: datetime | None = instant_field(default=None)


# An API key: opaque, kept as its SHA-256. A personal key acts as its owner (`person_id`, or the
# bootstrap operator when null); an affiliate key (`affiliate_id`) as a member of `member_role`.
class ApiKey(AccountsTable, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="people.id", index=True)
    affiliate_id: int | None = Field(default=None, index=True)
    member_role: str | None = Field(default=None, max_length=16)
    created_by: str = Field(max_length=32)
    created_at: datetime = stamp_field()
    expires_at: datetime | None = instant_field(default=None)
    revoked_at: datetime | None = instant_field(default=None)


# An Ed25519 key access tokens are signed with; the private half is encrypted at rest with
# COHORT_SECRET_KEY and never leaves the service. Published in the JWKS until `retired_at`.
class SigningKey(AccountsTable, table=True):
    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    public_key: str = Field(max_length=100)
    private_key_pem: str = Field(max_length=2000)
    created_at: datetime = stamp_field()
    retired_at: datetime | None = instant_field(default=None)
