"""Who may use the facilitator's pages: a signed-in person holding the facilitator role, who
sees only their own schedule, rosters and availability."""

from datetime import UTC, datetime
from typing import Any

from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import dates, pages
from services.portal.desks import Desk, enter_as
from services.portal.facilitator import work
from services.portal.visits import Visit


async def enter(visit: Visit) -> Desk | Response:
    """The facilitator's desk; signed out, a redirect to sign in; anyone else a 404 page."""
    return await enter_as(visit, "facilitator")


def _when(language: str) -> Any:
    def when(meeting: dict[str, Any], zone_name: str) -> dates.Span:
        zone = dates.zone_of(zone_name) or dates.zone_of("UTC")
        assert zone is not None
        return dates.span_in(str(meeting["starts_at"]), str(meeting["ends_at"]), zone, language)

    return when


def render(desk: Desk, template: str, *, status: int = 200, **context: Any) -> Response:
    """A facilitator's page, with their navigation and meetings read in a zone."""
    return pages.render(
        desk.visit, template, status=status, desk=desk, when=_when(desk.visit.language), **context
    )


def utc(value: object) -> datetime:
    """An instant from an API answer; one written without an offset is UTC."""
    moment = dates.instant(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def upcoming(items: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """The meetings still to end, soonest first, each with its cohort's assignment."""
    moment = now or datetime.now(UTC)
    found = [
        {**meeting, "assignment": item}
        for item in items
        for meeting in item.get("meetings", [])
        if utc(meeting["ends_at_utc"]) > moment
    ]
    return sorted(found, key=lambda meeting: utc(meeting["starts_at_utc"]))


async def find_meeting(desk: Desk, meeting_id: int) -> dict[str, Any]:
    """One meeting of a cohort the facilitator leads, with its assignment; else a 404 page."""
    items = await work.assignments(
        desk.visit.connections.scheduler, token=desk.token, facilitator_id=desk.person_id
    )
    for item in items:
        for meeting in item.get("meetings", []):
            if meeting.get("id") == meeting_id:
                return {**meeting, "assignment": item}
    raise HTTPException(404)
