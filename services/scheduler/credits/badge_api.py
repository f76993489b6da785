"""Routes for Open Badges: a credit's signed credential, and the issuer's public keys."""

from fastapi import APIRouter, Response

from services.scheduler.credits import badge, badge_keys, ledger
from services.scheduler.credits.api import CreditReader
from services.scheduler.deps import SessionDep, errors
from shared.errors import Conflict
from shared.validation import RowId

router = APIRouter(tags=["credits"])
BADGE_TYPE = "application/vc+jwt"
JWKS_MAX_AGE = 300


@router.get(
    "/credits/{credit_id}/badge",
    summary="A PD credit as an Open Badges 3.0 credential",
    description="The credited educator and the operator; anyone else gets 404. The credential "
    "(an `OpenBadgeCredential`: the program as the achievement, its PD hours, the meetings' "
    "dates, the educator as a salted SHA-256 hash of their email address) as a compact JWS, "
    "`typ: vc+jwt`, `alg: EdDSA`, signed with a key listed at `GET /.well-known/jwks.json` "
    "(named by `kid`). A revoked credit has no badge: 409.",
    response_class=Response,
    responses={
        200: {"content": {BADGE_TYPE: {"schema": {"type": "string"}}}},
        **errors(401, 403, 404, 409),
    },
)
def read_badge(credit_id: RowId, session: SessionDep, principal: CreditReader) -> Response:
    """The credit's signed Open Badges credential."""
    found = ledger.get_credit(session=session, credit_id=credit_id, principal=principal)
    if found.status != "valid":
        raise Conflict("this credit is revoked: it has no badge")
    token = badge.badge_of(session, credit_id)
    return Response(
        token,
        media_type=BADGE_TYPE,
        headers={"Content-Disposition": f'inline; filename="pd-credit-{credit_id}.jwt"'},
    )


@router.get(
    "/.well-known/jwks.json",
    summary="The public keys Open Badges credentials are signed with",
    description="Anyone. Verify a badge with the key its `kid` names.",
)
def read_jwks(session: SessionDep, response: Response) -> dict[str, list[dict[str, str]]]:
    """The issuer's public keys as a JWKS."""
    keys = badge_keys.published_keys(session=session) or [badge_keys.signing_key(session=session)]
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    return badge_keys.jwks(keys)
