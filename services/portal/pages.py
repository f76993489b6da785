"""Pages as HTML: the templates, rendered in the visitor's language, and the cookies they carry."""

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.portal import languages, navigation, sessions
from services.portal.visits import Visit

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
SECURITY_HEADERS = {
    # Everything the pages use is served by the portal; nothing runs inline.
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages carry a CSRF token and personal details: no shared cache may keep them.
    "Cache-Control": "no-store",
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _here(visit: Visit) -> str:
    url = visit.request.url
    return url.path + (f"?{url.query}" if url.query else "")


def _language_links(visit: Visit) -> list[dict[str, Any]]:
    here = quote(_here(visit), safe="")
    return [
        {"code": code, "name": name, "href": f"/language/{code}?next={here}"}
        for code, name in languages.LANGUAGES.items()
    ]


def context_of(visit: Visit) -> dict[str, Any]:
    """What every page's layout needs: language, gettext, the person, the CSRF token."""
    catalogue = languages.translations(visit.language)
    session = visit.session
    return {
        "lang": visit.language,
        "_": catalogue.gettext,
        "ngettext": catalogue.ngettext,
        "languages": _language_links(visit),
        "person": session.person if session and session.signed_in else None,
        "csrf": session.csrf if session else None,
        "consoles": navigation.console_links(session.person if session else None),
    }


def finish(visit: Visit, response: Response) -> Response:
    """Add the security headers and whatever cookies the visit changed."""
    response.headers.update(SECURITY_HEADERS)
    secure = visit.connections.secure_cookies
    if visit.session is not None and visit.session.is_new:
        response.set_cookie(
            sessions.COOKIE, visit.session.id, httponly=True, samesite="lax", secure=secure
        )
    elif visit.dropped:
        response.delete_cookie(sessions.COOKIE, httponly=True, samesite="lax", secure=secure)
    if visit.chosen_language is not None:
        response.set_cookie(
            languages.COOKIE,
            visit.chosen_language,
            max_age=LANGUAGE_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=secure,
        )
    return response


def render(
    visit: Visit,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """A page from its template, in the visitor's language."""
    html = environment.get_template(template).render({**context_of(visit), **context})
    return finish(visit, HTMLResponse(html, status_code=status, headers=headers))


def redirect(visit: Visit, target: str) -> Response:
    """See Other: after a form, the browser GETs `target`."""
    return finish(visit, RedirectResponse(target, status_code=303))
