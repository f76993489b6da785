"""The accounts service's tables: people, sign-in codes, sessions and signing keys."""

from datetime import datetime

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.columns import instant_field, stamp_field


class AccountsTable(SQLModel, registry=registry()):
    """Base of the accounts service's tables (its own metadata)."""


# A person whose address was proven by redeeming a sign-in code (email lower-case, unique).
class Person(AccountsTable, table=True):
    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    locale: str = Field(default="en", max_length=8)
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


# An Ed25519 key access tokens are signed with; the private half is encrypted at rest with
# COHORT_SECRET_KEY and never leaves the service. Published in the JWKS until `retired_at`.
class SigningKey(AccountsTable, table=True):
    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    public_key: str = Field(max_length=100)
    private_key_pem: str = Field(max_length=2000)
    created_at: datetime = stamp_field()
    retired_at: datetime | None = instant_field(default=None)
