"""Events the accounts service emits: sign-in requests (the notifier mails them) and erasures."""

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


class PersonErased(Event):
    """A person asked to be forgotten: remove their name and email everywhere; keep the counts."""

    TYPE: ClassVar[str] = "person.erased"
    VERSION: ClassVar[int] = 1
    person_id: int
    erased_at: datetime
