"""Events the accounts service emits: sign-in requests, revoked credentials, erasures and
changes to a person's name, zone or language."""

from datetime import datetime
from typing import ClassVar, Literal

from shared.events.envelope import Event


class SignInRequested(Event):
    """Someone asked to sign in with an address, or was invited (`kind` invitation); `link`
    carries the one-time code until `expires_at`. Emitted alike for known and unknown addresses
    (the mail is the only proof)."""

    TYPE: ClassVar[str] = "sign_in.requested"
    VERSION: ClassVar[int] = 1
    email: str
    name: str | None = None
    locale: str = "en"
    link: str
    expires_at: datetime
    kind: Literal["sign_in", "invitation"] = "sign_in"
    # Who invited them (a name), and as what ("operator", "facilitator", "affiliate admin" ...).
    invited_by: str | None = None
    role_label: str | None = None


class AccessRevoked(Event):
    """Access tokens covered by `key` stop working from `revoked_at`: `sid:session:<id>` and
    `sid:key:<id>` name the credential they were minted from, `sub:<person id>` every token of
    a person. Services keep it until the tokens it covers have expired."""

    TYPE: ClassVar[str] = "access.revoked"
    VERSION: ClassVar[int] = 1
    key: str
    revoked_at: datetime
    reason: str


class PersonErased(Event):
    """A person asked to be forgotten: remove their name and email everywhere; keep the counts."""

    TYPE: ClassVar[str] = "person.erased"
    VERSION: ClassVar[int] = 1
    person_id: int
    erased_at: datetime


class PersonVerified(Event):
    """A person proved their address (redeemed their first sign-in or invitation link): from
    now on they may be booked and mailed."""

    TYPE: ClassVar[str] = "person.verified"
    VERSION: ClassVar[int] = 1
    person_id: int
    verified_at: datetime


class PersonUpdated(Event):
    """A person changed their name, time zone or language (`PATCH /me`): the full new values.

    Consumers keep the newest by `updated_at` (a redelivered or older one changes nothing)."""

    TYPE: ClassVar[str] = "person.updated"
    VERSION: ClassVar[int] = 1
    person_id: int
    name: str
    timezone: str | None = None
    locale: str = "en"
    updated_at: datetime
