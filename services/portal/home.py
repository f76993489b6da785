"""The home page (the catalogue comes later) and the language switch every page links to."""

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import accounts, languages, pages
from services.portal.deps import VisitDep
from services.portal.navigation import safe_next

router = APIRouter(tags=["home"])


@router.get("/")
async def home(visit: VisitDep) -> Response:
    """Who is signed in, with the links to sign in or out."""
    token = await visit.access_token()
    me = None
    if token is not None:
        me = await accounts.read_me(visit.connections.accounts, access_token=token)
    if token is not None and me is None and visit.session is not None:
        # Accounts refused the token (revoked, erased): this browser is signed out.
        visit.session.signed_out()
        await visit.save()
    return pages.render(visit, "home.html", me=me)


@router.get("/language/{code}")
async def choose_language(visit: VisitDep, code: str, next: str | None = None) -> Response:
    """Remember the language chosen and go back to the page it was chosen on."""
    if code in languages.LANGUAGES:
        visit.chosen_language = visit.language = code
    return pages.redirect(visit, safe_next(next) or "/")
