"""The language switch every page links to."""

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import languages, pages
from services.portal.deps import VisitDep
from services.portal.navigation import safe_next

router = APIRouter(tags=["home"])


@router.get("/language/{code}")
async def choose_language(visit: VisitDep, code: str, next: str | None = None) -> Response:
    """Remember the language chosen and go back to the page it was chosen on."""
    if code in languages.LANGUAGES:
        visit.chosen_language = visit.language = code
    return pages.redirect(visit, safe_next(next) or "/")
