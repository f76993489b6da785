"""Events the accounts service emits about sign-in and revoked credentials."""

from datetime import datetime
from typing import ClassVar

from shared.events.envelope import Event


class SignInRequested(Event):
    """Someone asked to sign in with an address; `link` carries the one-time code until
    `expires_at`. Emitted alike for known and unknown addresses (the mail is the only proof)."""

    TYPE: ClassVar[str] = "sign_in.requested"
    VERSION: ClassVar[int] = 1
    email: str
    name: str | None = None
    locale: str = "en"
    link: str
    expires_at: datetime


class AccessRevoked(Event):
    """Credentials were revoked: every access token they cover is refused until it expires.
    `key` is "sid:<sid claim>" (a session or API key) or "sub:<person id>" (all of a person's
    tokens issued up to `revoked_at`, e.g. a removed member or an erased person)."""

    TYPE: ClassVar[str] = "access.revoked"
    VERSION: ClassVar[int] = 1
    key: str
    revoked_at: datetime
    reason: str
