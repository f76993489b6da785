"""The affiliate's members (its admins only): invite someone by email, change a member's role,
take a membership away after a confirmation page."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import accounts, pages
from services.portal.affiliate import console
from services.portal.affiliate.console import ROLE_NAMES, Console
from services.portal.deps import FormDep, VisitDep
from services.portal.visits import Visit
from shared.validation import storable_id


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


router = APIRouter(tags=["affiliate"])
PAGE = "/affiliate/{affiliate_id}/members"
FIELDS = ("name", "email", "member_role")
PROBLEMS = {
    "name": _("Enter their name, in up to 200 characters."),
    "email": _("Enter an email address, like name@example.org."),
    "member_role": _("Choose a role from the list."),
}
NOTICES = ("invited", "changed", "removed")


async def admin(visit: Visit, affiliate_id: int) -> Console | Response:
    """The console for one of the affiliate's admins (a 403 page for its other members)."""
    entered = await console.enter(visit, affiliate_id)
    if isinstance(entered, Console) and entered.member.role != "admin":
        raise HTTPException(403)
    return entered


async def _members(entered: Console) -> list[dict[str, Any]]:
    found = await accounts.list_members(
        entered.visit.connections.accounts,
        access_token=entered.token,
        affiliate_id=entered.affiliate_id,
    )
    if found is None:
        raise HTTPException(403)
    return found


async def _page(
    entered: Console,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    return console.render(
        entered,
        "affiliate_members.html",
        status=422 if errors else 200,
        members=await _members(entered),
        typed=typed or {"name": "", "email": "", "member_role": "editor"},
        errors=errors or {},
        role_names=ROLE_NAMES,
        done=done,
    )


@router.get(PAGE)
async def members_page(visit: VisitDep, affiliate_id: int, done: str = "") -> Response:
    """The members with their roles, a form to invite one, and ways to change or remove each."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    return await _page(entered, done=done if done in NOTICES else "")


@router.post(PAGE)
async def invite_member(visit: VisitDep, affiliate_id: int, form: FormDep) -> Response:
    """Invite someone (accounts mails the link), or give a member the role chosen."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    typed = {name: form.get(name, "").strip() for name in FIELDS}
    errors = {name: PROBLEMS[name] for name in FIELDS if not typed[name]}
    if typed["member_role"] not in ROLE_NAMES:
        errors["member_role"] = PROBLEMS["member_role"]
    if errors:
        return await _page(entered, typed=typed, errors=errors)
    saved = await accounts.add_member(
        visit.connections.accounts,
        access_token=entered.token,
        affiliate_id=affiliate_id,
        member=typed,
    )
    if saved.signed_out:
        raise HTTPException(403)
    if saved.person is None:
        refused = {name: PROBLEMS.get(name, PROBLEMS["email"]) for name in saved.refused_fields}
        return await _page(entered, typed=typed, errors=refused)
    done = "changed" if form.get("change") else "invited"
    return pages.redirect(visit, f"{entered.home}/members?done={done}")


async def _member(entered: Console, person_id: int) -> dict[str, Any]:
    found = [m for m in await _members(entered) if m["person_id"] == person_id]
    if not storable_id(person_id) or not found:
        raise HTTPException(404)
    return found[0]


@router.get(PAGE + "/{person_id}/remove")
async def remove_page(visit: VisitDep, affiliate_id: int, person_id: int) -> Response:
    """What removing a member does, and one button (this page removes nothing)."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    member = await _member(entered, person_id)
    return console.render(entered, "affiliate_remove_member.html", removed=member)


@router.post(PAGE + "/{person_id}/remove")
async def remove_member(
    visit: VisitDep, affiliate_id: int, person_id: int, form: FormDep
) -> Response:
    """Take the membership away; their sign-ins stop working for this affiliate at once."""
    entered = await admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    await _member(entered, person_id)
    if not await accounts.remove_member(
        visit.connections.accounts,
        access_token=entered.token,
        affiliate_id=affiliate_id,
        person_id=person_id,
    ):
        raise HTTPException(404)
    return pages.redirect(visit, f"{entered.home}/members?done=removed")
