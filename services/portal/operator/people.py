"""Finding a person by email address and erasing them (name and address removed everywhere,
the counts kept), after a confirmation page that erases nothing when opened."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages
from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["operator"])
LONGEST_EMAIL = 320


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


ROLE_NAMES = {
    "operator": _("Operator"),
    "affiliate": _("Affiliate member"),
    "educator": _("Educator"),
    "facilitator": _("Facilitator"),
}
STATUS_NAMES = {"active": _("Signed in at least once"), "invited": _("Invited, not signed in yet")}
ERASED = _("The person is erased: their name and email address are gone from every service.")


async def _found(desk: Desk, email: str) -> list[dict[str, Any]]:
    if not email:
        return []
    page = await work.people(desk.visit.connections.accounts, token=desk.token, email=email)
    return list(page["items"])


@router.get("/operator/people")
async def find_people(visit: VisitDep, email: str = "", done: str = "") -> Response:
    """Find a person by their email address."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    wanted = email.strip()[:LONGEST_EMAIL]
    return desks.render(
        entered,
        "operator_people.html",
        email=wanted,
        found=await _found(entered, wanted),
        role_names=ROLE_NAMES,
        status_names=STATUS_NAMES,
        notice=ERASED if done == "erased" else None,
    )


async def _person(desk: Desk, person_id: int, email: str) -> dict[str, Any]:
    if not storable_id(person_id):
        raise HTTPException(404)
    matching = [
        p for p in await _found(desk, email.strip()[:LONGEST_EMAIL]) if p["id"] == person_id
    ]
    if not matching:
        raise HTTPException(404)
    return matching[0]


@router.get("/operator/people/{person_id}/erase")
async def erase_page(visit: VisitDep, person_id: int, email: str = "") -> Response:
    """What erasing the person removes, and one button to do it."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    person = await _person(entered, person_id, email)
    return desks.render(entered, "operator_erase.html", person=person)


@router.post("/operator/people/{person_id}/erase")
async def erase(visit: VisitDep, person_id: int, form: FormDep) -> Response:
    """Erase the person everywhere; the people page says so."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(person_id):
        raise HTTPException(404)
    outcome = await work.erase(visit.connections.accounts, token=entered.token, person_id=person_id)
    if outcome.status == 404:
        raise HTTPException(404)
    return pages.redirect(visit, "/operator/people?done=erased")
