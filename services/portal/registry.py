"""The registry API as the portal calls it: published offerings and programs, read anonymously
or, for a signed-in person, with their access token (which also shows programs not listed
publicly)."""

import time
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
