"""What the facilitator's and the operator's pages share: a signed-in person holding one role,
their access token and who they are."""

from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal.affiliate.console import to_sign_in
from services.portal.visits import Visit


@dataclass(frozen=True)
class Desk:
    """A page visit by someone holding the page's role: their access token and who they are."""

    visit: Visit
    token: str
    me: dict[str, Any]

    @property
    def person_id(self) -> int:
        """Who they are in every service (a facilitator's id in the scheduler too)."""
        return int(self.me["id"])

    @property
    def zone_name(self) -> str:
        """The person's own time zone."""
        return str(self.me.get("timezone") or "UTC")


def holds(me: dict[str, Any], role: str) -> bool:
    """Tell whether the person holds the role."""
    return any(entry.get("role") == role for entry in me.get("roles") or [])


async def enter_as(visit: Visit, role: str) -> Desk | Response:
    """The desk of someone holding `role`; signed out, a redirect to sign in; anyone else a 404
    page (the pages are not there for them)."""
    me = await visit.profile()
    token = await visit.access_token()
    if me is None or token is None:
        return to_sign_in(visit)
    if not holds(me, role):
        raise HTTPException(404)
    return Desk(visit=visit, token=token, me=me)
