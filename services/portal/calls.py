"""One call to an API: an outage or a server error becomes ApiUnavailable, anything else is the
caller's to read."""

from typing import Any

import httpx


class ApiUnavailable(Exception):
    """An API did not answer, or answered with a server error."""


def bearer(credential: str | None) -> dict[str, str]:
    """The Authorization header for a credential (none without one)."""
    return {"Authorization": f"Bearer {credential}"} if credential else {}


async def send(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """The API's answer; ApiUnavailable when it is unreachable or answers 5xx."""
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        raise ApiUnavailable(f"{client.base_url} unreachable: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise ApiUnavailable(f"{client.base_url} answered {response.status_code}")
    return response


def expect(response: httpx.Response, *codes: int) -> Any:
    """The JSON body of an answer with one of `codes`; ApiUnavailable for any other."""
    if response.status_code not in codes:
        raise ApiUnavailable(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}"
        )
    return response.json()
