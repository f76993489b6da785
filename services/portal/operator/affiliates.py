"""Affiliates: every state or local affiliate with its zone and contact address, 50 a page,
and a form to register one (each wrong field tied to its error)."""

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import pages
from services.portal.deps import FormDep, VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.desk import Desk
from services.portal.profile import fields as zones
from shared.validation import storable_id

router = APIRouter(tags=["operator"])
FIELDS = ("name", "state", "timezone", "contact_email")
STATE = re.compile(r"[A-Z]{2}")


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


PROBLEMS = {
    "name": _("Enter the affiliate's name."),
    "state": _("Enter the two-letter state code, like OH."),
    "timezone": _("Choose a time zone from the list."),
}
CREATED = _("The affiliate is registered. Invite its first administrator below.")
INVITED = _("The invitation is on its way.")
INVITE_NEEDS = _("Enter the administrator's name and email address to invite them.")
CHANGED = _("The affiliate is changed; its published offerings show it as it is now.")
CHANGE_REFUSED = _("Enter the affiliate's name and, if it has one, a contact email address.")


def read_affiliate(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The affiliate as typed (state upper-cased) and the error of each wrong field."""
    typed = {name: form.get(name, "").strip() for name in FIELDS}
    typed["state"] = typed["state"].upper()
    errors = {name: PROBLEMS[name] for name in ("name", "timezone") if not typed[name]}
    if not STATE.fullmatch(typed["state"]):
        errors["state"] = PROBLEMS["state"]
    return typed, errors


def _body(typed: dict[str, str]) -> dict[str, Any]:
    return {name: value for name, value in typed.items() if value or name != "contact_email"}


async def _page(desk: Desk, page: int = 1, **extra: Any) -> Response:
    shown = work.shown_page(page)
    found = await work.affiliates(
        desk.visit.connections.registry, token=desk.token, offset=(shown - 1) * work.PAGE
    )
    context = {
        "notice": None,
        "refusal": None,
        "typed": dict.fromkeys(FIELDS, ""),
        "errors": {},
        **extra,
    }
    code = context.pop("status_code", 200)
    return desks.render(
        desk,
        "operator_affiliates.html",
        status=code,
        found=found,
        page=shown,
        pages=work.page_count(found["total"]),
        known_problems=set(PROBLEMS.values()),
        us_zones=zones.US_ZONES,
        other_zones=zones.other_zones(),
        **context,
    )


@router.get("/operator/affiliates")
async def affiliate_list(visit: VisitDep, done: str = "", page: int = 1) -> Response:
    """The affiliates, oldest first, and the form to register one."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    notices = {"created": CREATED, "invited": INVITED, "changed": CHANGED}
    return await _page(entered, page, notice=notices.get(done))


@router.post("/operator/affiliates")
async def register_affiliate(visit: VisitDep, form: FormDep) -> Response:
    """Register an affiliate; a wrong field shows the form again as typed."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    typed, errors = read_affiliate(form)
    if errors:
        return await _page(entered, typed=typed, errors=errors, status_code=422)
    outcome = await work.add_affiliate(
        visit.connections.registry, token=entered.token, body=_body(typed)
    )
    if not outcome.done:
        refused = {
            str(r.get("loc", ["", "name"])[-1]): str(r.get("msg", ""))
            for r in (outcome.detail if isinstance(outcome.detail, list) else [])
        }
        shown = {name: refused[name] for name in FIELDS if name in refused} or {
            "name": str(outcome.detail)
        }
        return await _page(entered, typed=typed, errors=shown, status_code=422)
    # Oldest first: the new affiliate is on the last page.
    listed = await work.affiliates(visit.connections.registry, token=entered.token)
    last = work.page_count(listed["total"])
    return pages.redirect(visit, f"/operator/affiliates?done=created&page={last}")


@router.post("/operator/affiliates/{affiliate_id}/administrators")
async def invite_administrator(visit: VisitDep, affiliate_id: int, form: FormDep) -> Response:
    """Invite someone to administer the affiliate (accounts mails them a sign-in link)."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(affiliate_id):
        raise HTTPException(404)
    name, email = form.get("name", "").strip(), form.get("email", "").strip()
    outcome = (
        await work.invite_member(
            visit.connections.accounts,
            token=entered.token,
            affiliate_id=affiliate_id,
            body={"name": name, "email": email, "member_role": "admin"},
        )
        if name and email
        else None
    )
    if outcome is not None and outcome.status == 404:
        raise HTTPException(404)
    if outcome is None or not outcome.done:
        return await _page(entered, refusal=INVITE_NEEDS, status_code=422)
    return pages.redirect(visit, "/operator/affiliates?done=invited")


@router.post("/operator/affiliates/{affiliate_id}/change")
async def change_affiliate(visit: VisitDep, affiliate_id: int, form: FormDep) -> Response:
    """Change an affiliate's name or contact address; its published offerings follow."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    if not storable_id(affiliate_id):
        raise HTTPException(404)
    name, contact = form.get("name", "").strip(), form.get("contact_email", "").strip()
    shown = work.shown_page(form.get("page", "1"))
    outcome = (
        await work.change_affiliate(
            visit.connections.registry,
            token=entered.token,
            affiliate_id=affiliate_id,
            body={"name": name, "contact_email": contact or None},
        )
        if name
        else None
    )
    if outcome is not None and outcome.status == 404:
        raise HTTPException(404)
    if outcome is None or not outcome.done:
        return await _page(entered, shown, refusal=CHANGE_REFUSED, status_code=422)
    return pages.redirect(visit, f"/operator/affiliates?done=changed&page={shown}")
