"""The affiliate's API keys (its admins only): make one (shown once), see them, revoke one after
a confirmation page."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import accounts, pages
from services.portal.affiliate import console, members
from services.portal.affiliate.console import ROLE_NAMES, Console
from services.portal.deps import FormDep, VisitDep

router = APIRouter(tags=["affiliate"])
PAGE = "/affiliate/{affiliate_id}/api-keys"
MAX_DAYS = 3650


async def _keys(entered: Console) -> list[dict[str, Any]]:
    return await accounts.list_api_keys(
        entered.visit.connections.accounts,
        access_token=entered.token,
        affiliate_id=entered.affiliate_id,
    )


async def _page(entered: Console, *, status: int = 200, **context: Any) -> Response:
    values = {"created": None, "error": None, "done": "", "typed": {}, **context}
    return console.render(
        entered,
        "affiliate_api_keys.html",
        status=status,
        keys=await _keys(entered),
        role_names=ROLE_NAMES,
        **values,
    )


@router.get(PAGE)
async def api_keys_page(visit: VisitDep, affiliate_id: int, done: str = "") -> Response:
    """The affiliate's keys and a form to make one."""
    entered = await members.admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    return await _page(entered, done="revoked" if done == "revoked" else "")


@router.post(PAGE)
async def create_api_key(visit: VisitDep, affiliate_id: int, form: FormDep) -> Response:
    """Make a key acting as a member of the role chosen; the page shows it this once."""
    entered = await members.admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    typed = {name: form.get(name, "").strip() for name in ("name", "member_role", "days")}
    days = typed["days"]
    if not typed["name"] or len(typed["name"]) > 200 or typed["member_role"] not in ROLE_NAMES:
        return await _page(entered, status=422, error="name", typed=typed)
    if days and (not days.isdigit() or not 1 <= int(days) <= MAX_DAYS):
        return await _page(entered, status=422, error="days", typed=typed)
    body: dict[str, Any] = {
        "name": typed["name"],
        "affiliate_id": affiliate_id,
        "member_role": typed["member_role"],
    }
    if days:
        body["expires_in_days"] = int(days)
    created = await accounts.create_api_key(
        visit.connections.accounts, access_token=entered.token, body=body
    )
    if created is None:
        return await _page(entered, status=422, error="name", typed=typed)
    return await _page(entered, created=created)


async def _key(entered: Console, key_id: int) -> dict[str, Any]:
    found = [key for key in await _keys(entered) if key["id"] == key_id]
    if not found:
        raise HTTPException(404)
    return found[0]


@router.get(PAGE + "/{key_id}/revoke")
async def revoke_page(visit: VisitDep, affiliate_id: int, key_id: int) -> Response:
    """What revoking does, and one button (this page revokes nothing)."""
    entered = await members.admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    key = await _key(entered, key_id)
    return console.render(entered, "affiliate_revoke_key.html", key=key)


@router.post(PAGE + "/{key_id}/revoke")
async def revoke(visit: VisitDep, affiliate_id: int, key_id: int, form: FormDep) -> Response:
    """Revoke the key: it and the tokens minted from it are refused within seconds."""
    entered = await members.admin(visit, affiliate_id)
    if not isinstance(entered, Console):
        return entered
    await _key(entered, key_id)
    if not await accounts.revoke_api_key(
        visit.connections.accounts, access_token=entered.token, key_id=key_id
    ):
        raise HTTPException(404)
    return pages.redirect(visit, f"{entered.home}/api-keys?done=revoked")
