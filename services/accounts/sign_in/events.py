"""The events sign-in emits, built in one place."""

from datetime import datetime
from urllib.parse import urlencode

from shared.events import SignInRequested
from shared.settings import get_settings


def confirm_link(code: str) -> str:
    """The portal page whose button redeems the code (opening the link uses up nothing)."""
    base = get_settings().cohort_portal_url.rstrip("/")
    return f"{base}/sign-in/confirm?{urlencode({'code': code})}"


def sign_in_requested(
    *, email: str, name: str | None, locale: str, code: str, expires_at: datetime
) -> SignInRequested:
    """The event that has the sign-in link mailed (in `locale`)."""
    return SignInRequested(
        email=email, name=name, locale=locale, link=confirm_link(code), expires_at=expires_at
    )
