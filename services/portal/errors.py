"""Error pages: a refused form, a missing page, an API or Redis that does not answer."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException

from services.portal import deps, languages, pages
from services.portal.calls import ApiUnavailable
from services.portal.forms import CsrfRefused, FormTooLarge
from services.portal.visits import Visit

log = logging.getLogger(__name__)


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


async def _visit(request: Request) -> Visit:
    """The visit as far as it can be known: without its session when Redis does not answer."""
    try:
        return await deps.current_visit(request)
    except RedisError:
        language = languages.pick_language(
            request.cookies.get(languages.COOKIE), request.headers.get("accept-language")
        )
        connections = request.app.state.connections
        return Visit(request=request, connections=connections, language=language)


async def _page(request: Request, status: int, title: str, message: str) -> Response:
    visit = await _visit(request)
    return pages.render(visit, "error.html", status=status, title=title, message=message)


async def _csrf(request: Request, _exc: Exception) -> Response:
    title = _("This form has expired")
    message = _("Nothing was done. Go back, reload the page and try again.")
    return await _page(request, 400, title, message)


async def _too_large(request: Request, _exc: Exception) -> Response:
    return await _page(request, 413, _("That was too much"), _("Nothing was done."))


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("a service the portal needs did not answer: %s", exc)
    title = _("Cohort is not available right now")
    message = _("Nothing was done. Please try again in a few minutes.")
    return await _page(request, 503, title, message)


async def _http(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    if status == 404:
        return await _page(
            request, 404, _("Page not found"), _("There is no page at this address.")
        )
    return await _page(request, status, _("That did not work"), _("Nothing was done."))


def add_error_pages(app: FastAPI) -> None:
    """Answer every error with a page in the visitor's language."""
    app.add_exception_handler(CsrfRefused, _csrf)
    app.add_exception_handler(FormTooLarge, _too_large)
    app.add_exception_handler(ApiUnavailable, _unavailable)
    app.add_exception_handler(RedisError, _unavailable)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _http)
