"""The notifier API as the portal calls it, with the person's access token: calendar feeds,
certificates and transcripts; and certificate verification, which needs no token."""

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


async def verify_certificate(
    client: httpx.AsyncClient, *, certificate_id: str
) -> dict[str, Any] | None:
    """What a certificate certifies and whether it holds; None when there is no such one."""
    response = await calls.send(client, "GET", f"/verify/{certificate_id}")
    if response.status_code in (404, 422):
        return None
    shown: dict[str, Any] = calls.expect(response, 200)
    return shown


async def read_pdf(client: httpx.AsyncClient, *, token: str, path: str) -> bytes | None:
    """A PDF of the person's (a certificate, the transcript); None when it is not theirs."""
    response = await calls.send(client, "GET", path, headers=calls.bearer(token))
    if response.status_code in (401, 403, 404, 422):
        return None
    if response.status_code != 200:
        raise calls.ApiUnavailable(f"GET {path} answered {response.status_code}")
    return response.content
