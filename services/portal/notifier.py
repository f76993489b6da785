"""The notifier API as the portal calls it, with the person's access token: calendar feeds."""

from typing import Any

import httpx

from services.portal import calls


async def read_feed(client: httpx.AsyncClient, *, token: str) -> dict[str, Any] | None:
    """The person's calendar feed `{url, webcal_url}`; None when the notifier will not say."""
    try:
        response = await calls.send(client, "GET", "/feeds/me", headers=calls.bearer(token))
    except calls.ApiUnavailable:
        # The feed link is an extra on the page: My trainings still shows without it.
        return None
    if response.status_code != 200:
        return None
    feed: dict[str, Any] = response.json()
    return feed


async def reset_feed(client: httpx.AsyncClient, *, token: str) -> bool:
    """Give the person a new feed address (the old one stops working); False when refused."""
    response = await calls.send(client, "POST", "/feeds/me/reset", headers=calls.bearer(token))
    if response.status_code in (401, 403):
        return False
    calls.expect(response, 200)
    return True
