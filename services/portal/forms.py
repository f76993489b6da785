"""Form posts as the browser sends them (URL-encoded), and their CSRF check."""

import hmac
from urllib.parse import parse_qsl

from fastapi import Request

from services.portal.sessions import BrowserSession

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 20


class CsrfRefused(Exception):
    """A form post without this session's CSRF token: nothing is done."""


class FormTooLarge(Exception):
    """A form post larger than any of the portal's forms."""


async def read_pairs(request: Request, max_fields: int = MAX_FIELDS) -> list[tuple[str, str]]:
    """Every field of a URL-encoded form post in order (checkboxes repeat a name); [] for any
    other body."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return []
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormTooLarge()
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        return []


async def read_form(request: Request, max_fields: int = MAX_FIELDS) -> dict[str, str]:
    """The fields of a URL-encoded form post (the first value of each); {} for any other body."""
    fields: dict[str, str] = {}
    for name, value in await read_pairs(request, max_fields):
        fields.setdefault(name, value)
    return fields


def check_csrf(form: dict[str, str], session: BrowserSession | None) -> None:
    """Refuse a form whose token is not this session's."""
    given = form.get("csrf", "")
    if session is None or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise CsrfRefused()
