"""`/verify/{certificate_id}` for anyone, and the person's certificate and transcript PDFs,
fetched from the notifier with their token, and their Open Badges from the scheduler."""

import re
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import dates, notifier, pages, scheduler
from services.portal.deps import VisitDep
from shared.validation import storable_id

router = APIRouter(tags=["certificates"])
# The notifier's certificate ids: 8-64 letters, digits, "-" and "_"; anything else is no page.
CERTIFICATE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _valid_id(certificate_id: str) -> str:
    if not CERTIFICATE_ID.fullmatch(certificate_id):
        raise HTTPException(404)
    return certificate_id


@router.get("/verify/{certificate_id}")
async def verify(visit: VisitDep, certificate_id: str) -> Response:
    """Whether a certificate is valid, and what it certifies (no contact data)."""
    shown = await notifier.verify_certificate(
        visit.connections.notifier, certificate_id=_valid_id(certificate_id)
    )
    if shown is None:
        raise HTTPException(404)
    day = dates.long_day(str(shown.get("completed_on", "")), visit.language)
    hours = dates.number(shown.get("hours", 0), visit.language)
    return pages.render(visit, "verify.html", certificate=shown, completed_day=day, hours=hours)


def _pdf(data: bytes, filename: str) -> Response:
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(content=data, media_type="application/pdf", headers=headers)


async def _proxied(visit: VisitDep, here: str, path: str, filename: str) -> Response:
    token = await visit.access_token()
    if token is None:
        return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))
    data = await notifier.read_pdf(visit.connections.notifier, token=token, path=path)
    if data is None:
        raise HTTPException(404)
    return _pdf(data, filename)


@router.get("/me/certificates/{certificate_id}.pdf")
async def my_certificate(visit: VisitDep, certificate_id: str) -> Response:
    """One of the person's certificates as PDF."""
    certificate_id = _valid_id(certificate_id)
    here = f"/me/certificates/{certificate_id}.pdf"
    return await _proxied(visit, here, f"/certificates/{certificate_id}.pdf", "certificate.pdf")


@router.get("/me/transcript.pdf")
async def my_transcript(visit: VisitDep) -> Response:
    """The person's PD transcript as PDF."""
    return await _proxied(visit, "/me/transcript.pdf", "/transcripts/me.pdf", "transcript.pdf")


@router.get("/me/credits/{credit_id}/badge.jwt")
async def my_badge(visit: VisitDep, credit_id: int) -> Response:
    """One of the person's valid credits as an Open Badges 3.0 credential, to add to a wallet."""
    here = f"/me/credits/{credit_id}/badge.jwt"
    token = await visit.access_token()
    if token is None:
        return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))
    if not storable_id(credit_id):
        raise HTTPException(404)
    badge = await scheduler.read_badge(
        visit.connections.scheduler, token=token, credit_id=credit_id
    )
    if badge is None:
        raise HTTPException(404)
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Disposition": f'attachment; filename="open-badge-{credit_id}.jwt"',
    }
    return Response(content=badge, media_type="application/vc+jwt", headers=headers)
