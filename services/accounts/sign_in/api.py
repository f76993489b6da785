"""Routes of sign-in: ask for a link by address, redeem its code for a session."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from services.accounts.deps import AnonymousOrValid, SessionDep
from services.accounts.people import service as people
from services.accounts.sign_in import codes, throttle
from services.accounts.sign_in.schemas import RedeemRequest, SignedIn, SignInRequest, SignInSent
from services.accounts.tokens import exchange

router = APIRouter(tags=["sign-in"], dependencies=[AnonymousOrValid])
REFUSED = "this sign-in link is used, expired or unknown; ask for a new one"


@router.post(
    "/sign-in",
    status_code=202,
    response_model=SignInSent,
    summary="Mail a one-time sign-in link to an address",
    responses={
        401: {"description": "A bearer token was sent and does not verify."},
        429: {"description": "Too many requests for this address or from this client."},
    },
)
def post_sign_in(body: SignInRequest, request: Request, session: SessionDep) -> JSONResponse:
    """The same 202 for every address; the link goes only to the address itself."""
    client = request.client.host if request.client else "unknown"
    wait = throttle.admit_sign_in(address=people.normalise_email(body.email), client=client)
    if wait is not None:
        raise HTTPException(
            429,
            detail="too many sign-in requests; try again later",
            headers={"Retry-After": str(wait)},
        )
    codes.request_sign_in(
        session=session,
        email=body.email,
        name=body.name,
        timezone=body.timezone,
        locale=body.locale,
    )
    return JSONResponse(SignInSent().model_dump(), status_code=202)


@router.post(
    "/sign-in/redeem",
    response_model=SignedIn,
    summary="Redeem a sign-in code for a session and an access token",
    responses={
        400: {"description": "The code is used, expired or unknown (one answer for all)."},
        401: {"description": "A bearer token was sent and does not verify."},
    },
)
def post_redeem(body: RedeemRequest, session: SessionDep) -> SignedIn:
    """Sign in: the person (new on first sign-in), a session token and a first access token."""
    try:
        redeemed = codes.redeem_code(session=session, code=body.code)
    except codes.CodeRefused:
        raise HTTPException(400, detail=REFUSED) from None
    minted = exchange.exchange_credential(session=session, credential=redeemed.session_token)
    assert minted is not None
    return SignedIn(
        session_token=redeemed.session_token,
        access_token=minted.token,
        expires_at=minted.expires_at,
        person=people.describe(session=session, person=redeemed.person),
    )
