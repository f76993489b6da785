"""Sign-in pages: ask for a link by address, confirm it with a button, sign out."""

import contextlib

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import accounts, calls, pages
from services.portal.deps import FormDep, VisitDep
from services.portal.navigation import safe_next
from services.portal.sign_in import wording
from services.portal.visits import Visit
from shared.validation import mail_address

router = APIRouter(tags=["sign-in"])
MAX_CODE = 200


def _form_again(visit: Visit, email: str, error: str, next_page: str | None) -> Response:
    """The sign-in form with the address as typed and what is wrong with it; nothing was sent."""
    return pages.render(
        visit, "sign_in.html", status=422, email=email, error=error, next=next_page or ""
    )


@router.get("/sign-in")
async def sign_in_form(visit: VisitDep, next: str | None = None) -> Response:
    """The email form."""
    await visit.ensure_session()
    return pages.render(visit, "sign_in.html", email="", error=None, next=safe_next(next) or "")


@router.post("/sign-in")
async def ask_for_link(visit: VisitDep, form: FormDep) -> Response:
    """Ask accounts to mail a link; say to check the inbox, or when to try again."""
    email = form.get("email", "").strip()
    next_page = safe_next(form.get("next"))
    try:
        address = mail_address(email)
    except ValueError:
        return _form_again(visit, email, wording.address_problem(email), next_page)
    answer = await accounts.request_sign_in(
        visit.connections.accounts,
        email=address,
        language=visit.language,
        client_ip=visit.client_ip,
    )
    if answer.invalid:
        return _form_again(visit, email, wording.address_problem(email), next_page)
    if answer.retry_after is not None:
        headers = {"Retry-After": str(answer.retry_after)}
        minutes = wording.minutes(answer.retry_after)
        return pages.render(
            visit, "sign_in_wait.html", status=429, headers=headers, minutes=minutes
        )
    session = await visit.ensure_session()
    session.next = next_page
    await visit.save()
    return pages.render(visit, "sign_in_sent.html", email=address, minutes=wording.link_minutes())


def _refused(visit: Visit) -> Response:
    return pages.render(visit, "sign_in_refused.html", status=400, minutes=wording.link_minutes())


@router.get("/sign-in/confirm")
async def confirm_page(visit: VisitDep, code: str = "") -> Response:
    """The page a mailed link opens: one button that signs in (opening it uses nothing up)."""
    if not code or len(code) > MAX_CODE:
        return _refused(visit)
    await visit.ensure_session()
    return pages.render(visit, "sign_in_confirm.html", code=code)


@router.post("/sign-in/confirm")
async def confirm(visit: VisitDep, form: FormDep) -> Response:
    """Redeem the code, keep the new session, go where the person was going."""
    code = form.get("code", "")
    redeemed = None
    if code and len(code) <= MAX_CODE:
        redeemed = await accounts.redeem_code(visit.connections.accounts, code=code)
    if redeemed is None:
        return _refused(visit)
    going_to = visit.session.next if visit.session else None
    # A new session id on sign-in: an id planted in the browser beforehand is worth nothing.
    await visit.start_over(
        session_token=redeemed["session_token"],
        access_token=redeemed["access_token"],
        expires_at=redeemed["expires_at"],
        person=redeemed["person"],
    )
    return pages.redirect(visit, going_to or "/")


@router.post("/sign-out")
async def sign_out(visit: VisitDep, form: FormDep) -> Response:
    """End the session at accounts and here."""
    session = visit.session
    if session is not None and session.session_token is not None:
        # The browser is signed out either way: the only copy of the token is dropped below.
        with contextlib.suppress(calls.ApiUnavailable):
            await accounts.sign_out(visit.connections.accounts, session_token=session.session_token)
    await visit.end_session()
    return pages.redirect(visit, "/")
