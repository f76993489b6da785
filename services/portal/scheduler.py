"""The scheduler API as the portal calls it, with the person's access token: registrations."""

from dataclasses import dataclass
from typing import Any

import httpx

from services.portal import calls

MAX_REGISTRATIONS = 100
# Seats left only adds to a page: a slow scheduler must not hold the page up for long.
AVAILABILITY_TIMEOUT = 2.0


@dataclass(frozen=True)
class Answer:
    """What the scheduler said to a registration or a cancellation."""

    registration: dict[str, Any] | None = None
    conflict: str | None = None
    refused: bool = False
    missing: bool = False
    not_an_educator: bool = False


@dataclass(frozen=True)
class Seats:
    """How many seats an offering has left, and how many people wait for one."""

    left: int
    waiting: int


def _answer(response: httpx.Response) -> Answer:
    if response.status_code == 401:
        return Answer(refused=True)
    if response.status_code == 403:
        return Answer(not_an_educator=True)
    if response.status_code in (404, 422):
        return Answer(missing=True)
    if response.status_code == 409:
        return Answer(conflict=str(response.json().get("detail", "")))
    return Answer(registration=calls.expect(response, 200, 201))


async def register(client: httpx.AsyncClient, *, token: str, offering_id: int) -> Answer:
    """Take a seat or a place on the waitlist (a repeat gives the existing registration)."""
    body = {"offering_id": offering_id}
    response = await calls.send(
        client, "POST", "/registrations", json=body, headers=calls.bearer(token)
    )
    return _answer(response)


async def cancel(client: httpx.AsyncClient, *, token: str, registration_id: int) -> Answer:
    """Cancel one of the person's registrations."""
    path = f"/registrations/{registration_id}/cancel"
    return _answer(await calls.send(client, "POST", path, headers=calls.bearer(token)))


async def read_registration(
    client: httpx.AsyncClient, *, token: str, registration_id: int
) -> dict[str, Any] | None:
    """One of the person's registrations; None when there is no such one of theirs."""
    path = f"/registrations/{registration_id}"
    answer = _answer(await calls.send(client, "GET", path, headers=calls.bearer(token)))
    return answer.registration


async def list_registrations(
    client: httpx.AsyncClient, *, token: str, offering_id: int | None = None
) -> list[dict[str, Any]] | None:
    """The person's registrations, newest first; None when the token is refused."""
    params: dict[str, str | int] = {"limit": MAX_REGISTRATIONS}
    if offering_id is not None:
        params["offering_id"] = offering_id
    response = await calls.send(
        client, "GET", "/registrations", params=params, headers=calls.bearer(token)
    )
    if response.status_code in (401, 403):
        return None
    registrations: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return registrations


def current(registrations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The registration that holds a seat or a place in line, if any does."""
    return next((r for r in registrations if r["status"] != "cancelled"), None)


async def seats_left(client: httpx.AsyncClient, offering_ids: list[int]) -> dict[int, Seats]:
    """Seats left and waitlist length by offering (anonymous); {} when the scheduler is down."""
    if not offering_ids:
        return {}
    params = {"offering_id": offering_ids}
    try:
        response = await calls.send(
            client, "GET", "/availability", params=params, timeout=AVAILABILITY_TIMEOUT
        )
        items = calls.expect(response, 200)["items"]
    except calls.ApiUnavailable:
        return {}
    return {
        item["offering_id"]: Seats(left=item["seats_left"], waiting=item["waitlist_length"])
        for item in items
    }


# --- an affiliate's cohorts and rosters (the affiliate console) ------------------------------


async def roster(
    client: httpx.AsyncClient, *, token: str, offering_id: int, as_csv: bool = False
) -> httpx.Response | None:
    """An offering's roster (JSON, or the scheduler's CSV); None when it is not this person's
    or the scheduler does not know the offering yet."""
    headers = calls.bearer(token) | {"Accept": "text/csv" if as_csv else "application/json"}
    path = f"/offerings/{offering_id}/roster"
    response = await calls.send(client, "GET", path, headers=headers)
    if response.status_code in (401, 403, 404, 422):
        return None
    if response.status_code != 200:
        raise calls.ApiUnavailable(f"GET {path} answered {response.status_code}")
    return response


async def waiting_cohorts(
    client: httpx.AsyncClient, *, token: str, affiliate_id: int
) -> list[dict[str, Any]]:
    """The affiliate's cohorts that wait for a facilitator, soonest first."""
    params: dict[str, str | int] = {
        "status": "needs_facilitator",
        "affiliate_id": affiliate_id,
        "limit": MAX_REGISTRATIONS,
    }
    response = await calls.send(
        client, "GET", "/cohorts", params=params, headers=calls.bearer(token)
    )
    if response.status_code in (401, 403):
        return []
    items: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return items


async def list_credits(client: httpx.AsyncClient, *, token: str) -> dict[str, Any]:
    """The person's PD credit `{items, total, hours_total}`; nothing yet when the scheduler has
    no credits to tell of (404: it does not serve them) or is unreachable."""
    empty: dict[str, Any] = {"items": [], "total": 0, "hours_total": 0}
    try:
        response = await calls.send(client, "GET", "/credits", headers=calls.bearer(token))
    except calls.ApiUnavailable:
        return empty
    if response.status_code != 200:
        return empty
    credits: dict[str, Any] = response.json()
    return credits


async def read_badge(client: httpx.AsyncClient, *, token: str, credit_id: int) -> str | None:
    """The person's credit as a signed Open Badge; None when it is not theirs or revoked."""
    path = f"/credits/{credit_id}/badge"
    response = await calls.send(client, "GET", path, headers=calls.bearer(token))
    if response.status_code in (401, 403, 404, 409, 422):
        return None
    if response.status_code != 200:
        raise calls.ApiUnavailable(f"GET {path} answered {response.status_code}")
    return response.text
