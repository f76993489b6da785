"""Programs: every one with its PD hours, seats, completion rule and whether the catalogue lists
it to the signed-out; a form to add one; listing or unlisting one."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages, registry
from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import program_form, work
from services.portal.operator.desk import Desk
from shared.validation import storable_id

router = APIRouter(tags=["operator"])


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


NOTICES = {
    "created": _("The program is added."),
    "changed": _("The program is changed; its published offerings show it as it is now."),
    "listed": _("The catalogue now shows the program to everyone."),
    "unlisted": _("The catalogue now shows the program only to people signed in."),
}


async def _page(desk: Desk, form: program_form.ProgramForm | None = None, **extra: Any) -> Response:
    programs = await registry.programs_to_post(desk.visit.connections.registry, token=desk.token)
    context = {"notice": None, **extra}
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_programs.html",
        status=code,
        programs=programs,
        form=form or program_form.ProgramForm(),
        **context,
    )


@router.get("/operator/programs")
async def program_list(visit: VisitDep, done: str = "") -> Response:
    """Every program, and the form to add one."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    return await _page(entered, notice=NOTICES.get(done))


@router.post("/operator/programs")
async def add_program(visit: VisitDep, form: FormDep) -> Response:
    """Add a program; a wrong field shows the form again as typed with its error."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    found = program_form.read_program(form)
    if found.errors:
        return await _page(entered, found, status_code=422)
    outcome = await work.add_program(
        visit.connections.registry, token=entered.token, body=found.body
    )
    if not outcome.done:
        refused = program_form.refused(found, outcome.status, outcome.detail)
        return await _page(entered, refused, status_code=outcome.status)
    return pages.redirect(visit, "/operator/programs?done=created")


@router.post("/operator/programs/{program_id}/listing")
async def change_listing(visit: VisitDep, program_id: int, form: FormDep) -> Response:
    """List a program to the signed-out, or show it only to people signed in."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(program_id):
        raise HTTPException(404)
    listed = form.get("listed_publicly") == "yes"
    outcome = await work.list_program(
        visit.connections.registry, token=entered.token, program_id=program_id, listed=listed
    )
    if not outcome.done:
        raise HTTPException(404)
    return pages.redirect(visit, f"/operator/programs?done={'listed' if listed else 'unlisted'}")


async def _program(desk: Desk, program_id: int) -> dict[str, Any]:
    programs = await registry.programs_to_post(desk.visit.connections.registry, token=desk.token)
    found = [p for p in programs if p["id"] == program_id] if storable_id(program_id) else []
    if not found:
        raise HTTPException(404)
    return found[0]


def _edit_page(desk: Desk, program: dict[str, Any], form: Any, status: int = 200) -> Response:
    return desks.render(
        desk, "operator_program_edit.html", status=status, program=program, form=form
    )


@router.get("/operator/programs/{program_id}/edit")
async def edit_program(visit: VisitDep, program_id: int) -> Response:
    """The program's title, description, hours, rule and discretion, to change."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    program = await _program(entered, program_id)
    typed = program_form.typed_change(program)
    return _edit_page(entered, program, program_form.ProgramForm(typed=typed))


@router.post("/operator/programs/{program_id}/edit")
async def change_program(visit: VisitDep, program_id: int, form: FormDep) -> Response:
    """Change the program; its published offerings announce it to the scheduler."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    program = await _program(entered, program_id)
    found = program_form.read_change(form)
    if found.errors:
        return _edit_page(entered, program, found, status=422)
    outcome = await work.change_program(
        visit.connections.registry, token=entered.token, program_id=program_id, body=found.body
    )
    if not outcome.done:
        refused = program_form.refused(found, outcome.status, outcome.detail)
        return _edit_page(entered, program, refused, status=422)
    return pages.redirect(visit, "/operator/programs?done=changed")
