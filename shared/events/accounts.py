"""Events the accounts service emits about sign-in; the notifier will mail them."""

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
