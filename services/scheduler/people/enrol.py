"""Adding people on someone's behalf: the accounts service gives the person their id."""

import httpx
from fastapi import HTTPException, status

from shared.settings import get_settings

TIMEOUT_SECONDS = 5.0


def enrol_person(
    *, bearer: str, name: str, email: str, timezone: str | None, role: str
) -> tuple[int, bool]:
    """The accounts id of the person with this address, created (and, for a facilitator,
    invited) by accounts on the caller's authority, and whether they have proven their
    address already; accounts' refusals are passed on."""
    url = get_settings().cohort_accounts_url.rstrip("/") + "/people"
    body = {"name": name, "email": email, "timezone": timezone, "role": role}
    try:
        response = httpx.post(
            url,
            json={k: v for k, v in body.items() if v is not None},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.HTTPError:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="the accounts service is unreachable"
        ) from None
    if response.status_code in (200, 201):
        found = response.json()
        return int(found["id"]), found.get("status") == "active"
    if response.status_code in (401, 403, 409, 422, 429):
        raise HTTPException(response.status_code, detail=_detail(response))
    raise HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, detail="the accounts service could not add this person"
    )


def _detail(response: httpx.Response) -> object:
    try:
        return response.json().get("detail", response.reason_phrase)
    except ValueError:
        return response.reason_phrase
