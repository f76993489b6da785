"""The notifier's certificate routes: PDFs for their holder and operators, verification for anyone,
and transcripts."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from fastapi import status as http
from sqlmodel import Session

from services.notifier.certificates import store
from services.notifier.database import runtime
from services.notifier.models import Certificate, VerificationPublic
from shared.auth import (
    CurrentPrincipal,
    Operator,
    OptionalPrincipal,
    Principal,
    Role,
    require_roles,
)
from shared.routes import Problem, errors
from shared.validation import RowId

SessionDep = Annotated[Session, Depends(runtime.request_session)]
# Certificate ids are the scheduler's opaque tokens: letters, digits, "-" and "_".
CertificateId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TranscriptHolder = Annotated[Principal, require_roles(Role.EDUCATOR)]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}
NOT_FOUND = {"description": "No such certificate (or not yours).", "model": Problem}

router = APIRouter(tags=["certificates"])


def _pdf(data: bytes, filename: str) -> Response:
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(content=data, media_type="application/pdf", headers=headers)


def _readable(row: Certificate | None, caller: Principal) -> Certificate:
    if row is None or not (caller.is_operator or caller.person_id == row.person_id):
        raise HTTPException(http.HTTP_404_NOT_FOUND, detail="no such certificate")
    return row


@router.get(
    "/certificates/{certificate_id}.pdf",
    summary="A certificate as PDF",
    response_class=Response,
    responses={**PDF, **errors(401, 422), 404: NOT_FOUND},
)
def get_certificate_pdf(
    caller: CurrentPrincipal, session: SessionDep, certificate_id: CertificateId
) -> Response:
    """The certificate's PDF (its holder or an operator; anyone else 404)."""
    row = _readable(store.find(session, certificate_id), caller)
    return _pdf(store.certificate_pdf(row), "certificate.pdf")


@router.get(
    "/verify/{certificate_id}",
    response_model=VerificationPublic,
    summary="Whether a certificate is valid",
    responses={**errors(401, 422), 404: NOT_FOUND},
)
def get_verification(
    _caller: OptionalPrincipal, session: SessionDep, certificate_id: CertificateId
) -> VerificationPublic:
    """What a certificate certifies and whether it still holds (anyone; no contact data)."""
    row = store.find(session, certificate_id)
    if row is None:
        raise HTTPException(http.HTTP_404_NOT_FOUND, detail="no such certificate")
    return store.verification(row)


@router.get(
    "/transcripts/me.pdf",
    summary="My PD transcript",
    response_class=Response,
    responses={**PDF, **errors(401, 403)},
)
def get_my_transcript(person: TranscriptHolder, session: SessionDep) -> Response:
    """Every certificate of the caller with the total of valid PD hours (educators)."""
    assert person.person_id is not None
    return _pdf(store.transcript(session, person.person_id), "transcript.pdf")


@router.get(
    "/transcripts/{person_id}.pdf",
    summary="A person's PD transcript",
    response_class=Response,
    responses={**PDF, **errors(401, 403, 422)},
)
def get_transcript(_operator: Operator, session: SessionDep, person_id: RowId) -> Response:
    """Every certificate of one person with the total of valid PD hours (operator only)."""
    return _pdf(store.transcript(session, person_id), "transcript.pdf")
