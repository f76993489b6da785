"""Who may use the operator's pages (a signed-in person holding the operator role), and how
they read instants."""

from datetime import UTC
from typing import Any

from babel.dates import format_datetime
from fastapi.responses import Response

from services.portal import dates, pages
from services.portal.desks import Desk, enter_as
from services.portal.visits import Visit


async def enter(visit: Visit) -> Desk | Response:
    """The operator's desk; signed out, a redirect to sign in; anyone else a 404 page."""
    return await enter_as(visit, "operator")


def _moment(desk: Desk) -> Any:
    def moment(value: object) -> str:
        """An instant from an API answer as the operator reads it: day and time in their zone."""
        if not value:
            return ""
        zone = dates.zone_of(desk.zone_name) or dates.zone_of("UTC")
        assert zone is not None
        instant = dates.instant(str(value))
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return format_datetime(
            instant.astimezone(zone), format="medium", locale=desk.visit.language
        )

    return moment


def render(desk: Desk, template: str, *, status: int = 200, **context: Any) -> Response:
    """An operator's page, with instants read in the operator's zone."""
    return pages.render(
        desk.visit, template, status=status, desk=desk, moment=_moment(desk), **context
    )
