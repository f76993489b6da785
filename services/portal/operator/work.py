"""The APIs as the operator's pages call them, with the operator's access token."""

from dataclasses import dataclass
from typing import Any

import httpx

from services.portal import calls

PAGE = 50
# The APIs page up to an offset of 1,000,000.
LAST_PAGE = 1_000_000 // PAGE


def shown_page(page: int | str) -> int:
    """A page number asked for (a query or form value), kept within the pages there can be."""
    text = str(page)
    number = int(text) if text.isdigit() and len(text) < 8 else 1
    return min(max(number, 1), LAST_PAGE)


def page_count(total: object) -> int:
    """How many pages of PAGE a list of `total` fills (at least one)."""
    return max(1, -(-int(str(total)) // PAGE))


@dataclass(frozen=True)
class Outcome:
    """What an API said to a change: done, or refused with its status and detail."""

    done: bool
    status: int
    detail: Any = None
    body: Any = None


async def _get(client: httpx.AsyncClient, path: str, token: str, **params: Any) -> Any:
    wanted = {name: value for name, value in params.items() if value not in (None, "")}
    response = await calls.send(client, "GET", path, headers=calls.bearer(token), params=wanted)
    return calls.expect(response, 200)


async def _post(
    client: httpx.AsyncClient, path: str, token: str, *codes: int, json: Any = None
) -> Outcome:
    response = await calls.send(client, "POST", path, headers=calls.bearer(token), json=json)
    if response.status_code in (404, 409, 422):
        detail = response.json().get("detail") if response.content else None
        return Outcome(done=False, status=response.status_code, detail=detail)
    if not response.content and response.status_code in codes:
        return Outcome(done=True, status=response.status_code)
    return Outcome(done=True, status=response.status_code, body=calls.expect(response, *codes))


async def deliveries(
    client: httpx.AsyncClient, *, token: str, status: str, recipient: str, offset: int = 0
) -> dict[str, Any]:
    """One page of the notifier's delivery ledger, newest first."""
    found: dict[str, Any] = await _get(
        client,
        "/deliveries",
        token,
        status=status,
        recipient=recipient,
        limit=PAGE,
        offset=offset,
    )
    return found


async def audit(client: httpx.AsyncClient, *, token: str, before: str) -> dict[str, Any]:
    """One service's audit records newest first (those before `before`, when given)."""
    found: dict[str, Any] = await _get(client, "/audit", token, before=before, limit=PAGE)
    return found


async def retry(client: httpx.AsyncClient, *, token: str, delivery_id: int) -> Outcome:
    """Queue a failed message again."""
    return await _post(client, f"/deliveries/{delivery_id}/retry", token, 200)


async def dead_events(client: httpx.AsyncClient, *, token: str) -> dict[str, Any]:
    """The events one service parked as dead, oldest first."""
    found: dict[str, Any] = await _get(client, "/dead-events", token, limit=PAGE)
    return found


async def redrive(client: httpx.AsyncClient, *, token: str, dead_event_id: int) -> Outcome:
    """Send a parked event to its consumer's queue again."""
    return await _post(client, f"/dead-events/{dead_event_id}/redrive", token, 202)


async def waiting_cohorts(client: httpx.AsyncClient, *, token: str) -> dict[str, Any]:
    """Every cohort waiting for a facilitator, soonest first, with the reason nobody fits."""
    found: dict[str, Any] = await _get(
        client, "/cohorts", token, status="needs_facilitator", limit=PAGE
    )
    return found


async def plan(
    client: httpx.AsyncClient, *, token: str, starts_after: str, starts_before: str
) -> Outcome:
    """Plan the facilitators of every cohort starting in the window again."""
    body = {"starts_after": starts_after, "starts_before": starts_before}
    return await _post(client, "/assignments/plan", token, 200, json=body)


async def people(client: httpx.AsyncClient, *, token: str, email: str) -> dict[str, Any]:
    """The people with this email address (accounts matches it whole, in any case)."""
    found: dict[str, Any] = await _get(client, "/people", token, email=email, limit=PAGE)
    return found


async def erase(client: httpx.AsyncClient, *, token: str, person_id: int) -> Outcome:
    """Erase a person's name and email address everywhere."""
    return await _post(client, f"/people/{person_id}/erase", token, 202)


async def facilitators(client: httpx.AsyncClient, *, token: str, offset: int = 0) -> dict[str, Any]:
    """One page of the facilitator pool."""
    found: dict[str, Any] = await _get(client, "/facilitators", token, limit=PAGE, offset=offset)
    return found


async def _put(client: httpx.AsyncClient, path: str, token: str, body: Any) -> Outcome:
    response = await calls.send(client, "PUT", path, headers=calls.bearer(token), json=body)
    if response.status_code in (404, 409, 422):
        detail = response.json().get("detail") if response.content else None
        return Outcome(done=False, status=response.status_code, detail=detail)
    return Outcome(done=True, status=200, body=calls.expect(response, 200))


async def certify(
    client: httpx.AsyncClient, *, token: str, facilitator_id: int, codes: list[str]
) -> Outcome:
    """Replace the programs a facilitator is certified for; the body lists cohorts given up."""
    path = f"/facilitators/{facilitator_id}/certifications"
    return await _put(client, path, token, {"certifications": codes})


async def share(
    client: httpx.AsyncClient, *, token: str, facilitator_id: int, shared: bool
) -> Outcome:
    """Let an affiliate's own facilitator lead any affiliate's offerings, or stop it."""
    path = f"/facilitators/{facilitator_id}/sharing"
    return await _put(client, path, token, {"shared": shared})


async def add_program(client: httpx.AsyncClient, *, token: str, body: dict[str, Any]) -> Outcome:
    """Add a program to the registry."""
    return await _post(client, "/programs", token, 201, json=body)


async def list_program(
    client: httpx.AsyncClient, *, token: str, program_id: int, listed: bool
) -> Outcome:
    """Change whether the catalogue lists a program to the signed-out."""
    return await change_program(
        client, token=token, program_id=program_id, body={"listed_publicly": listed}
    )


async def change_program(
    client: httpx.AsyncClient, *, token: str, program_id: int, body: dict[str, Any]
) -> Outcome:
    """Change a program in the registry."""
    path = f"/programs/{program_id}"
    response = await calls.send(client, "PATCH", path, headers=calls.bearer(token), json=body)
    if response.status_code in (404, 422):
        detail = response.json().get("detail") if response.content else None
        return Outcome(done=False, status=response.status_code, detail=detail)
    return Outcome(done=True, status=200, body=calls.expect(response, 200))


async def affiliates(client: httpx.AsyncClient, *, token: str, offset: int = 0) -> dict[str, Any]:
    """One page of the affiliates, oldest first."""
    found: dict[str, Any] = await _get(client, "/affiliates", token, limit=PAGE, offset=offset)
    return found


async def add_affiliate(client: httpx.AsyncClient, *, token: str, body: dict[str, Any]) -> Outcome:
    """Register an affiliate in the registry."""
    return await _post(client, "/affiliates", token, 201, json=body)


async def invite_member(
    client: httpx.AsyncClient, *, token: str, affiliate_id: int, body: dict[str, Any]
) -> Outcome:
    """Make someone a member of an affiliate; accounts mails them the invitation."""
    return await _post(client, f"/affiliates/{affiliate_id}/members", token, 200, 201, json=body)


async def add_facilitator(
    client: httpx.AsyncClient, *, token: str, body: dict[str, Any]
) -> Outcome:
    """Add a facilitator to the pool; accounts mails them the invitation."""
    return await _post(client, "/facilitators", token, 201, json=body)


async def affiliate_facilitators(
    client: httpx.AsyncClient, *, token: str, affiliate_id: int
) -> dict[str, Any]:
    """An affiliate's own facilitators, as its admins (or the operator) see them."""
    found: dict[str, Any] = await _get(
        client, "/facilitators", token, affiliate_id=affiliate_id, limit=100
    )
    return found


async def cohorts(
    client: httpx.AsyncClient, *, token: str, starts_after: str, starts_before: str = ""
) -> dict[str, Any]:
    """Open cohorts whose first meeting falls in the window, soonest first."""
    found: dict[str, Any] = await _get(
        client,
        "/cohorts",
        token,
        status="open",
        starts_after=starts_after,
        starts_before=starts_before,
        limit=100,
    )
    return found


async def change_affiliate(
    client: httpx.AsyncClient, *, token: str, affiliate_id: int, body: dict[str, Any]
) -> Outcome:
    """Change an affiliate's name or contact in the registry."""
    path = f"/affiliates/{affiliate_id}"
    response = await calls.send(client, "PATCH", path, headers=calls.bearer(token), json=body)
    if response.status_code in (404, 422):
        return Outcome(done=False, status=response.status_code)
    return Outcome(done=True, status=200, body=calls.expect(response, 200))
