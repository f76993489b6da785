"""`/check-in`: an educator who scanned a meeting's QR code (or typed its short code) confirms
with one button and is marked present. The GET only shows the button: a mail or QR scanner that
opens the link checks nobody in."""

import io
from typing import Any
from urllib.parse import quote

import segno
from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import calls, dates, pages, registry
from services.portal.deps import FormDep, VisitDep
from services.portal.visits import Visit
from shared.settings import get_settings

router = APIRouter(tags=["check-in"])
MAX_CODE = 64
# What a code may look like in an address: letters, digits, dashes (the scheduler checks the rest).
CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789- ")


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


# The scheduler's refusals, told apart by their first words, in the visitor's language.
REFUSALS = (
    ("unknown", _("This code is not valid: check it, or ask for the code shown now.")),
    ("expired", _("This code has expired: ask the facilitator for a new one.")),
    (
        "check-in is not open",
        _("Check-in is open from 30 minutes before the meeting until it ends."),
    ),
    (
        "no confirmed seat",
        _("You have no confirmed seat in this training, so you cannot check in."),
    ),
    ("attendance is final", _("Attendance of this training is final: ask the facilitator.")),
)
UNKNOWN_REFUSAL = _("This code cannot be used now.")


def _clean(code: str) -> str:
    code = code.strip()[:MAX_CODE]
    return code if set(code) <= CODE_CHARACTERS else ""


def _to_sign_in(visit: Visit, code: str) -> Response:
    here = "/check-in" + (f"?code={quote(code)}" if code else "")
    return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))


def _form(visit: Visit, code: str, *, error: str | None = None, status: int = 200) -> Response:
    return pages.render(visit, "check_in.html", status=status, code=code, error=error)


@router.get("/check-in")
async def check_in_page(visit: VisitDep, code: str = "") -> Response:
    """The code (from the QR or to type) and one button; signed out, sign in first."""
    code = _clean(code)
    if await visit.access_token() is None:
        return _to_sign_in(visit, code)
    return _form(visit, code)


def _refusal(detail: str) -> str:
    return next((text for start, text in REFUSALS if detail.startswith(start)), UNKNOWN_REFUSAL)


@router.post("/check-in")
async def check_in(visit: VisitDep, form: FormDep) -> Response:
    """Check in with the code; the page says to which meeting, or why not."""
    code = _clean(form.get("code", ""))
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, code)
    if not code:
        return _form(visit, code, error=_("Enter the code shown by the facilitator."), status=422)
    response = await calls.send(
        visit.connections.scheduler,
        "POST",
        "/check-ins",
        json={"code": code},
        headers=calls.bearer(token),
    )
    if response.status_code == 409:
        return _form(visit, code, error=_refusal(str(response.json().get("detail"))), status=409)
    if response.status_code in (403, 422):
        return _form(visit, code, error=UNKNOWN_REFUSAL, status=response.status_code)
    checked: dict[str, Any] = calls.expect(response, 200)
    return await _done(visit, checked, token)


async def _done(visit: Visit, checked: dict[str, Any], token: str) -> Response:
    offering = await registry.read_offering(
        visit.connections.registry, offering_id=checked["offering_id"], token=token
    )
    meeting = next(
        (m for m in (offering or {}).get("meetings", []) if m.get("id") == checked["meeting_id"]),
        None,
    )
    span = None
    if offering and meeting:
        zone = dates.zone_of(offering.get("timezone")) or dates.zone_of("UTC")
        assert zone is not None
        span = dates.span_in(meeting["starts_at"], meeting["ends_at"], zone, visit.language)
    return pages.render(
        visit, "check_in_done.html", checked=checked, offering=offering, meeting=span
    )


@router.get("/check-in/qr.svg")
async def check_in_qr(code: str = "") -> Response:
    """The QR image of a code's check-in page (what the facilitator shows in the room)."""
    code = _clean(code).replace(" ", "")
    if not code:
        raise HTTPException(404)
    portal = get_settings().cohort_portal_url.rstrip("/")
    qr = segno.make(f"{portal}/check-in?code={quote(code)}", error="m")
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=8, border=4, dark="#000", light="#fff", xmldecl=False)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return Response(svg.getvalue(), media_type="image/svg+xml", headers=headers)
