"""Who may use the operator's pages: a signed-in person holding the operator role."""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from babel.dates import format_datetime
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import dates, pages
from services.portal.affiliate.console import to_sign_in
from services.portal.visits import Visit


@dataclass(frozen=True)
class Desk:
    """An operator's page visit: their access token and who they are."""

    visit: Visit
    token: str
    me: dict[str, Any]

    @property
    def zone_name(self) -> str:
        """The operator's own time zone, for the instants the pages show."""
        return str(self.me.get("timezone") or "UTC")


def is_operator(me: dict[str, Any]) -> bool:
    """Tell whether the person holds the operator role."""
    return any(role.get("role") == "operator" for role in me.get("roles") or [])


async def enter(visit: Visit) -> Desk | Response:
    """The operator's desk; signed out, a redirect to sign in; anyone else a 404 page."""
    me = await visit.profile()
    token = await visit.access_token()
    if me is None or token is None:
        return to_sign_in(visit)
    if not is_operator(me):
        raise HTTPException(404)
    return Desk(visit=visit, token=token, me=me)


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
