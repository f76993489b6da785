"""My availability: the weekly grid in my own zone; saving it gives up the cohorts I can no
longer lead, and the page says which were re-staffed."""

from typing import Annotated, Any

from babel.dates import get_day_names
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.portal import dates, forms
from services.portal.deps import VisitDep
from services.portal.facilitator import desk as desks
from services.portal.facilitator import weekly, work
from services.portal.facilitator.desk import Desk

router = APIRouter(tags=["facilitator"])
GRID_FIELDS = 7 * weekly.MOST_WINDOWS_A_DAY * 2 + 5


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


BOOKED_MEANWHILE = _("You were booked while saving: look at the grid and save it again.")


async def grid_form(request: Request, visit: VisitDep) -> dict[str, str]:
    """The posted grid once its CSRF token matched the session's."""
    form = await forms.read_form(request, max_fields=GRID_FIELDS)
    forms.check_csrf(form, visit.session)
    return form


GridFormDep = Annotated[dict[str, str], Depends(grid_form)]


def _page(desk: Desk, grid: weekly.Grid, *, status: int = 200, **extra: Any) -> Response:
    zone = dates.zone_of(desk.zone_name) or dates.zone_of("UTC")
    assert zone is not None
    days = get_day_names("wide", locale=desk.visit.language)
    context = {"saved": False, "released": [], "refusal": None, **extra}
    return desks.render(
        desk,
        "facilitator_availability.html",
        status=status,
        grid=grid,
        days=[(day, days[day]) for day in range(7)],
        slots=range(grid.slots),
        zone_label=dates.zone_name(zone, desk.visit.language),
        **context,
    )


@router.get("/facilitator/availability")
async def availability_page(visit: VisitDep) -> Response:
    """The weekly grid as it stands."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    record = await work.facilitator(
        visit.connections.scheduler, token=entered.token, facilitator_id=entered.person_id
    )
    return _page(entered, weekly.grid_of((record or {}).get("availability") or []))


@router.post("/facilitator/availability")
async def save_availability(visit: VisitDep, form: GridFormDep) -> Response:
    """Replace the weekly windows; say which cohorts were given up and who took them."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    grid = weekly.read_grid(form)
    if grid.errors:
        return _page(entered, grid, status=422)
    outcome = await work.change_availability(
        visit.connections.scheduler,
        token=entered.token,
        facilitator_id=entered.person_id,
        windows=grid.windows,
    )
    if not outcome.done or outcome.body is None:
        return _page(entered, grid, status=409, refusal=BOOKED_MEANWHILE)
    released = outcome.body.get("released") or []
    shown = weekly.grid_of(outcome.body.get("availability") or [])
    return _page(entered, shown, saved=True, released=released)
