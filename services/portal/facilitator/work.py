"""The scheduler API as a facilitator's pages call it, with the facilitator's access token."""

from dataclasses import dataclass
from typing import Any

import httpx

from services.portal import calls

MAX_ASSIGNMENTS = 100


@dataclass(frozen=True)
class Outcome:
    """What the scheduler said to a change: the body on success, else the refusal."""

    body: dict[str, Any] | None = None
    status: int = 200
    detail: Any = None

    @property
    def done(self) -> bool:
        """Tell whether the change was made."""
        return self.body is not None


async def _call(
    client: httpx.AsyncClient, method: str, path: str, token: str, **kwargs: Any
) -> httpx.Response:
    return await calls.send(client, method, path, headers=calls.bearer(token), **kwargs)


def _outcome(response: httpx.Response, *codes: int) -> Outcome:
    if response.status_code in (403, 404, 409, 422):
        detail = response.json().get("detail") if response.content else None
        return Outcome(status=response.status_code, detail=detail)
    return Outcome(body=calls.expect(response, *codes), status=response.status_code)


async def assignments(
    client: httpx.AsyncClient, *, token: str, facilitator_id: int
) -> list[dict[str, Any]]:
    """The cohorts the facilitator leads, each with its meetings."""
    path = f"/facilitators/{facilitator_id}/assignments"
    response = await _call(client, "GET", path, token, params={"limit": MAX_ASSIGNMENTS})
    items: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return items


async def facilitator(
    client: httpx.AsyncClient, *, token: str, facilitator_id: int
) -> dict[str, Any] | None:
    """The facilitator's own record; None when the scheduler has none for them."""
    response = await _call(client, "GET", f"/facilitators/{facilitator_id}", token)
    if response.status_code in (403, 404):
        return None
    found: dict[str, Any] = calls.expect(response, 200)
    return found


async def roster(
    client: httpx.AsyncClient, *, token: str, offering_id: int
) -> dict[str, Any] | None:
    """The offering's roster as a facilitator sees it (only the cohorts they lead)."""
    response = await _call(client, "GET", f"/offerings/{offering_id}/roster", token)
    if response.status_code in (403, 404):
        return None
    found: dict[str, Any] = calls.expect(response, 200)
    return found


async def attendance(
    client: httpx.AsyncClient, *, token: str, meeting_id: int
) -> dict[str, Any] | None:
    """Every participant of the meeting with their mark; None when it is not theirs to see."""
    response = await _call(client, "GET", f"/meetings/{meeting_id}/attendance", token)
    if response.status_code in (403, 404):
        return None
    found: dict[str, Any] = calls.expect(response, 200)
    return found


async def mark(
    client: httpx.AsyncClient, *, token: str, meeting_id: int, marks: list[dict[str, Any]]
) -> Outcome:
    """Write the given marks of a meeting."""
    path = f"/meetings/{meeting_id}/attendance"
    return _outcome(await _call(client, "PUT", path, token, json=marks), 200)


async def finalise(client: httpx.AsyncClient, *, token: str, cohort_id: int) -> Outcome:
    """Make a cohort's attendance final (credit for those who completed)."""
    path = f"/cohorts/{cohort_id}/attendance/finalize"
    return _outcome(await _call(client, "POST", path, token), 200)


async def open_check_in(client: httpx.AsyncClient, *, token: str, meeting_id: int) -> Outcome:
    """Open a new check-in code for a meeting (the old one stops working)."""
    path = f"/meetings/{meeting_id}/check-in-codes"
    return _outcome(await _call(client, "POST", path, token), 201)


async def change_availability(
    client: httpx.AsyncClient, *, token: str, facilitator_id: int, windows: list[dict[str, Any]]
) -> Outcome:
    """Replace the facilitator's weekly windows; the body lists the cohorts given up."""
    path = f"/facilitators/{facilitator_id}/availability"
    body = {"availability": windows}
    return _outcome(await _call(client, "PUT", path, token, json=body), 200)
