"""The registry API as the portal calls it: published offerings and programs, read anonymously
or, for a signed-in person, with their access token (which also shows programs not listed
publicly)."""

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.portal import calls

MAX_PROGRAMS = 100
# Programs change a few times a year, while every catalogue page shows them in its form: each
# portal process asks the registry at most every PROGRAMS_FOR seconds. (Offerings are never kept:
# a program taken out of the public catalogue leaves it at once, its name at most this late.)
PROGRAMS_FOR = 30.0
_programs: dict[bool, tuple[float, list[dict[str, Any]]]] = {}


async def find_offerings(
    client: httpx.AsyncClient, *, params: dict[str, str], token: str | None = None
) -> dict[str, Any] | None:
    """A page of offerings `{items, total, next_cursor}` for the registry's filters; None when
    the registry refuses the page's cursor (an old or edited address)."""
    response = await calls.send(
        client, "GET", "/offerings", params=params, headers=calls.bearer(token)
    )
    if response.status_code == 422 and "cursor" in params:
        return None
    page: dict[str, Any] = calls.expect(response, 200)
    return page


async def read_offering(
    client: httpx.AsyncClient, *, offering_id: int, token: str | None = None
) -> dict[str, Any] | None:
    """One published (or once published) offering with its meetings; None when the registry does
    not show it to this visitor, or it is a draft only its own affiliate sees."""
    response = await calls.send(
        client, "GET", f"/offerings/{offering_id}", headers=calls.bearer(token)
    )
    if response.status_code in (404, 422):
        return None
    offering: dict[str, Any] = calls.expect(response, 200)
    return None if offering.get("status") == "draft" else offering


async def list_programs(
    client: httpx.AsyncClient, token: str | None = None
) -> list[dict[str, Any]]:
    """Every program the visitor may see (code and title), for the catalogue's filter; kept for
    PROGRAMS_FOR seconds, one list for the anonymous and one for anyone signed in."""
    signed_in = token is not None
    kept = _programs.get(signed_in)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    response = await calls.send(
        client, "GET", "/programs", params={"limit": MAX_PROGRAMS}, headers=calls.bearer(token)
    )
    programs: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    _programs[signed_in] = (time.monotonic() + PROGRAMS_FOR, programs)
    return programs


def forget_programs() -> None:
    """Drop the programs kept, so the next page asks the registry again."""
    _programs.clear()


# --- an affiliate's own offerings (the affiliate console) ------------------------------------


@dataclass(frozen=True)
class Written:
    """What the registry said to a change of an offering: the offering (or status) as now, the
    fields it refused with their reasons, or that the offering is not this person's."""

    body: dict[str, Any] | None = None
    refused: list[dict[str, Any]] = field(default_factory=list)
    conflict: str | None = None
    missing: bool = False
    forbidden: bool = False


def _written(response: httpx.Response) -> Written:
    if response.status_code == 422:
        detail = response.json().get("detail")
        return Written(refused=detail if isinstance(detail, list) else [{"msg": str(detail)}])
    if response.status_code == 409:
        return Written(conflict=str(response.json().get("detail", "")))
    if response.status_code in (401, 403):
        return Written(forbidden=True)
    if response.status_code == 404:
        return Written(missing=True)
    return Written(body=calls.expect(response, 200, 201))


async def own_offerings(
    client: httpx.AsyncClient, *, token: str, affiliate_id: int, status: str | None = None
) -> list[dict[str, Any]]:
    """The affiliate's offerings (every status, or one), soonest first meeting first."""
    params: dict[str, str | int] = {"affiliate_id": affiliate_id, "limit": MAX_PROGRAMS}
    if status is not None:
        params["status"] = status
    response = await calls.send(
        client, "GET", "/offerings", params=params, headers=calls.bearer(token)
    )
    items: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return items


async def own_offering(
    client: httpx.AsyncClient, *, token: str, offering_id: int
) -> dict[str, Any] | None:
    """One offering, drafts included; None when the registry does not show it to this person."""
    response = await calls.send(
        client, "GET", f"/offerings/{offering_id}", headers=calls.bearer(token)
    )
    if response.status_code in (401, 403, 404, 422):
        return None
    offering: dict[str, Any] = calls.expect(response, 200)
    return offering


async def write_offering(
    client: httpx.AsyncClient,
    *,
    token: str,
    body: dict[str, Any] | None = None,
    offering_id: int | None = None,
    action: str | None = None,
) -> Written:
    """Create an offering (no id), change one (an id), or publish or cancel it (an action)."""
    if offering_id is None:
        method, path = "POST", "/offerings"
    elif action is None:
        method, path = "PATCH", f"/offerings/{offering_id}"
    else:
        method, path = "POST", f"/offerings/{offering_id}/{action}"
    response = await calls.send(client, method, path, json=body, headers=calls.bearer(token))
    return _written(response)


async def programs_to_post(client: httpx.AsyncClient, *, token: str) -> list[dict[str, Any]]:
    """Every program an offering may be posted for, asked afresh (not the catalogue's copy:
    a program added a moment ago must be in the form)."""
    response = await calls.send(
        client, "GET", "/programs", params={"limit": MAX_PROGRAMS}, headers=calls.bearer(token)
    )
    programs: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return programs
