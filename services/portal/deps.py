"""The portal's request dependencies: the visit (language, session) and checked form posts."""

from typing import Annotated

from fastapi import Depends, Request

from services.portal import forms, languages, sessions
from services.portal.connections import Connections
from services.portal.visits import Visit


async def current_visit(request: Request) -> Visit:
    """The visit: its language (cookie, else Accept-Language) and its session, if it has one."""
    connections: Connections = request.app.state.connections
    language = languages.pick_language(
        request.cookies.get(languages.COOKIE), request.headers.get("accept-language")
    )
    session = await sessions.load_session(connections.redis, request.cookies.get(sessions.COOKIE))
    return Visit(request=request, connections=connections, language=language, session=session)


VisitDep = Annotated[Visit, Depends(current_visit)]


async def checked_form(request: Request, visit: VisitDep) -> dict[str, str]:
    """The posted form once its CSRF token matched the session's (else a 400 page)."""
    form = await forms.read_form(request)
    forms.check_csrf(form, visit.session)
    return form


FormDep = Annotated[dict[str, str], Depends(checked_form)]
