"""The registry API as the portal calls it: published offerings and programs, read anonymously."""

from typing import Any

import httpx

from services.portal import calls

MAX_PROGRAMS = 100


async def find_offerings(client: httpx.AsyncClient, *, params: dict[str, str]) -> dict[str, Any]:
    """A page of published offerings `{items, total}` for the registry's filters."""
    response = await calls.send(client, "GET", "/offerings", params=params)
    page: dict[str, Any] = calls.expect(response, 200)
    return page


async def read_offering(client: httpx.AsyncClient, *, offering_id: int) -> dict[str, Any] | None:
    """One offering with its meetings; None when the registry shows it to nobody anonymous."""
    response = await calls.send(client, "GET", f"/offerings/{offering_id}")
    if response.status_code in (404, 422):
        return None
    offering: dict[str, Any] = calls.expect(response, 200)
    return offering


async def list_programs(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every program (code and title), for the catalogue's filter."""
    response = await calls.send(client, "GET", "/programs", params={"limit": MAX_PROGRAMS})
    programs: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return programs
