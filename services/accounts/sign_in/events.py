"""The events sign-in emits, built in one place."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from shared.events import SignInRequested
from shared.settings import get_settings


@dataclass(frozen=True)
class Invitation:
    """Who invited the address (a name, when known) and as what (`operator`, `facilitator`,
    `affiliate admin` ...)."""

    invited_by: str | None
    role_label: str


def confirm_link(code: str) -> str:
    """The portal page whose button redeems the code (opening the link uses up nothing)."""
    base = get_settings().cohort_portal_url.rstrip("/")
    return f"{base}/sign-in/confirm?{urlencode({'code': code})}"


def sign_in_requested(
    *,
    email: str,
    name: str | None,
    locale: str,
    code: str,
    expires_at: datetime,
    invitation: Invitation | None = None,
) -> SignInRequested:
    """The event that has the sign-in link (or an invitation with it) mailed in `locale`."""
    return SignInRequested(
        email=email,
        name=name,
        locale=locale,
        link=confirm_link(code),
        expires_at=expires_at,
        kind="sign_in" if invitation is None else "invitation",
        invited_by=invitation.invited_by if invitation else None,
        role_label=invitation.role_label if invitation else None,
    )
