"""My profile (`/me/profile`): name, time zone and language, and erasing one's account."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import accounts, languages, pages
from services.portal.deps import FormDep, VisitDep
from services.portal.profile import fields
from services.portal.profile.fields import ProfileForm
from services.portal.visits import Visit

router = APIRouter(tags=["profile"])
HERE = "/me/profile"


def _to_sign_in(visit: Visit, here: str) -> Response:
    return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))


async def _signed_out(visit: Visit) -> None:
    if visit.session is not None:
        visit.session.signed_out()
        await visit.save()


def _form_page(
    visit: Visit, form: ProfileForm, *, status: int = 200, saved: bool = False
) -> Response:
    return pages.render(
        visit,
        "profile.html",
        status=status,
        form=form,
        us_zones=fields.US_ZONES,
        other_zones=fields.other_zones(),
        languages_offered=languages.LANGUAGES,
        saved=saved,
    )


@router.get(HERE)
async def profile_page(visit: VisitDep, done: str = "") -> Response:
    """The person's name, time zone and language, to change; the way to erase the account."""
    me = await visit.profile()
    if me is None:
        return _to_sign_in(visit, HERE)
    return _form_page(visit, fields.from_person(me), saved=done == "saved")


async def _remember(visit: Visit, person: dict[str, Any]) -> None:
    """Show the new name at once, and read the portal in the language just chosen."""
    if visit.session is not None and visit.session.person is not None:
        visit.session.person = {**visit.session.person, "name": person.get("name")}
        await visit.save()
    if person.get("locale") in languages.LANGUAGES:
        visit.chosen_language = visit.language = person["locale"]


@router.post(HERE)
async def save_profile(visit: VisitDep, form: FormDep) -> Response:
    """Save the profile at accounts; the form again, as typed, when a field is wrong."""
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, HERE)
    typed = fields.read_profile(form)
    if typed.errors:
        return _form_page(visit, typed, status=422)
    saved = await accounts.update_me(
        visit.connections.accounts, access_token=token, changes=typed.changes()
    )
    if saved.signed_out:
        await _signed_out(visit)
        return _to_sign_in(visit, HERE)
    if saved.person is None:
        return _form_page(visit, fields.refused(typed, saved.refused_fields), status=422)
    await _remember(visit, saved.person)
    return pages.redirect(visit, f"{HERE}?done=saved")


@router.get("/me/erase")
async def erase_page(visit: VisitDep) -> Response:
    """What erasing the account does, and one button that does it (this page erases nothing)."""
    if await visit.access_token() is None:
        return _to_sign_in(visit, "/me/erase")
    return pages.render(visit, "erase_account.html")


@router.post("/me/erase")
async def erase(visit: VisitDep, form: FormDep) -> Response:
    """Erase the person at accounts, end this browser's session, say it is done."""
    token = await visit.access_token()
    if token is None:
        return _to_sign_in(visit, "/me/erase")
    if not await accounts.erase_me(visit.connections.accounts, access_token=token):
        await _signed_out(visit)
        return _to_sign_in(visit, "/me/erase")
    await visit.end_session()
    return pages.redirect(visit, "/account-erased")


@router.get("/account-erased")
async def erased_page(visit: VisitDep) -> Response:
    """The account is erased: what that meant, and a way back to the catalogue."""
    return pages.render(visit, "account_erased.html")
