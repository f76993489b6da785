"""Numbers and messages the sign-in pages show, worked out before the template runs."""

import math

from shared.settings import get_settings


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


def address_problem(email: str) -> str:
    """What is wrong with the address typed (the msgid of the message)."""
    if not email:
        return _("Enter your email address.")
    return _("Enter an email address in the form name@example.org.")


def minutes(seconds: int) -> int:
    """Whole minutes, rounded up, at least one."""
    return max(1, math.ceil(seconds / 60))


def link_minutes() -> int:
    """How long a mailed link works, in minutes."""
    return minutes(get_settings().cohort_sign_in_code_ttl)
