"""The registry API as the portal calls it: published offerings and programs, read anonymously
or, for a signed-in person, with their access token (which also shows programs not listed
publicly)."""

from typing import Any

import httpx

from services.portal import calls

MAX_PROGRAMS = 100


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
    """Every program the visitor may see (code and title), for the catalogue's filter."""
    response = await calls.send(
        client, "GET", "/programs", params={"limit": MAX_PROGRAMS}, headers=calls.bearer(token)
    )
    programs: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return programs
