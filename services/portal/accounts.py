"""The accounts API as the portal calls it: sign-in, redeem, fresh tokens, sign-out, me."""

from dataclasses import dataclass
from typing import Any

import httpx

from services.portal import calls
from services.portal.calls import ApiUnavailable

RETRY_DEFAULT = 900


@dataclass(frozen=True)
class SignInAnswer:
    """What accounts said to a sign-in request: sent, refused for a while, or not an address."""

    sent: bool = False
    retry_after: int | None = None
    invalid: bool = False


@dataclass(frozen=True)
class Minted:
    """An access token and when it expires (ISO 8601)."""

    access_token: str
    expires_at: str


async def _post(client: httpx.AsyncClient, path: str, **kwargs: Any) -> httpx.Response:
    return await calls.send(client, "POST", path, **kwargs)


def _retry_after(response: httpx.Response) -> int:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else RETRY_DEFAULT


async def request_sign_in(
    client: httpx.AsyncClient, *, email: str, language: str, client_ip: str | None
) -> SignInAnswer:
    """Ask accounts to mail a sign-in link, on behalf of the browser at `client_ip`."""
    # Accounts limits requests per address and per IP: it must see the person's, not ours.
    headers = {"X-Forwarded-For": client_ip} if client_ip else {}
    body = {"email": email, "locale": language}
    response = await _post(client, "/sign-in", json=body, headers=headers)
    if response.status_code == 429:
        return SignInAnswer(retry_after=_retry_after(response))
    if response.status_code == 422:
        return SignInAnswer(invalid=True)
    if response.status_code != 202:
        raise ApiUnavailable(f"accounts answered {response.status_code} to a sign-in")
    return SignInAnswer(sent=True)


async def redeem_code(client: httpx.AsyncClient, *, code: str) -> dict[str, Any] | None:
    """The session, first access token and person for a code; None when it is used or expired."""
    response = await _post(client, "/sign-in/redeem", json={"code": code})
    if response.status_code in (400, 422):
        return None
    if response.status_code != 200:
        raise ApiUnavailable(f"accounts answered {response.status_code} to a redeem")
    redeemed: dict[str, Any] = response.json()
    return redeemed


async def mint_token(client: httpx.AsyncClient, *, session_token: str) -> Minted | None:
    """A fresh access token for a session; None when accounts no longer knows the session."""
    response = await _post(client, "/token", headers=calls.bearer(session_token))
    if response.status_code == 401:
        return None
    if response.status_code != 200:
        raise ApiUnavailable(f"accounts answered {response.status_code} to /token")
    body = response.json()
    return Minted(access_token=body["access_token"], expires_at=body["expires_at"])


async def sign_out(client: httpx.AsyncClient, *, session_token: str) -> None:
    """End the session at accounts (a session it no longer knows is ended already)."""
    await _post(client, "/sign-out", headers=calls.bearer(session_token))


async def read_me(client: httpx.AsyncClient, *, access_token: str) -> dict[str, Any] | None:
    """The signed-in person's profile; None when the token is refused."""
    response = await calls.send(client, "GET", "/me", headers=calls.bearer(access_token))
    if response.status_code != 200:
        return None
    me: dict[str, Any] = response.json()
    return me


@dataclass(frozen=True)
class Saved:
    """What accounts said to a change of profile: the person as now, or the fields it refused."""

    person: dict[str, Any] | None = None
    refused_fields: tuple[str, ...] = ()
    signed_out: bool = False


def _refused_fields(response: httpx.Response) -> tuple[str, ...]:
    detail = response.json().get("detail")
    problems = detail if isinstance(detail, list) else []
    return tuple(str(p["loc"][1]) for p in problems if len(p.get("loc", ())) > 1)


async def update_me(
    client: httpx.AsyncClient, *, access_token: str, changes: dict[str, str]
) -> Saved:
    """Change the signed-in person's name, zone or language (accounts PATCH /me)."""
    headers = calls.bearer(access_token)
    response = await calls.send(client, "PATCH", "/me", json=changes, headers=headers)
    if response.status_code in (401, 404):
        return Saved(signed_out=True)
    if response.status_code == 422:
        return Saved(refused_fields=_refused_fields(response) or tuple(changes))
    return Saved(person=calls.expect(response, 200))


async def erase_me(client: httpx.AsyncClient, *, access_token: str) -> bool:
    """Erase the signed-in person everywhere (accounts POST /me/erase); False when refused."""
    response = await _post(client, "/me/erase", headers=calls.bearer(access_token))
    if response.status_code == 401:
        return False
    if response.status_code != 202:
        raise ApiUnavailable(f"accounts answered {response.status_code} to an erasure")
    return True


# --- an affiliate's members (the affiliate console) ------------------------------------------

MAX_MEMBERS = 100


async def list_members(
    client: httpx.AsyncClient, *, access_token: str, affiliate_id: int
) -> list[dict[str, Any]] | None:
    """The affiliate's members, oldest membership first; None when the person may not see them."""
    path = f"/affiliates/{affiliate_id}/members"
    headers = calls.bearer(access_token)
    params = {"limit": MAX_MEMBERS}
    response = await calls.send(client, "GET", path, params=params, headers=headers)
    if response.status_code in (401, 403, 404):
        return None
    members: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return members


async def add_member(
    client: httpx.AsyncClient, *, access_token: str, affiliate_id: int, member: dict[str, str]
) -> Saved:
    """Invite someone as a member `{name, email, member_role}`, or give a member a new role."""
    path = f"/affiliates/{affiliate_id}/members"
    headers = calls.bearer(access_token)
    response = await calls.send(client, "POST", path, json=member, headers=headers)
    if response.status_code in (401, 403, 404):
        return Saved(signed_out=True)
    if response.status_code == 422:
        return Saved(refused_fields=_refused_fields(response) or tuple(member))
    return Saved(person=calls.expect(response, 200, 201))


async def remove_member(
    client: httpx.AsyncClient, *, access_token: str, affiliate_id: int, person_id: int
) -> bool:
    """Take a membership away; False when there is no such member (or it is not theirs)."""
    path = f"/affiliates/{affiliate_id}/members/{person_id}"
    response = await calls.send(client, "DELETE", path, headers=calls.bearer(access_token))
    if response.status_code in (401, 403, 404, 422):
        return False
    if response.status_code != 204:
        raise ApiUnavailable(f"accounts answered {response.status_code} to a member's removal")
    return True


# --- an affiliate's API keys (the affiliate console) -----------------------------------------


async def list_api_keys(
    client: httpx.AsyncClient, *, access_token: str, affiliate_id: int
) -> list[dict[str, Any]]:
    """The affiliate's unrevoked API keys (never the keys themselves)."""
    params = {"limit": MAX_MEMBERS}
    headers = calls.bearer(access_token)
    response = await calls.send(client, "GET", "/api-keys", params=params, headers=headers)
    if response.status_code in (401, 403):
        return []
    items: list[dict[str, Any]] = calls.expect(response, 200)["items"]
    return [key for key in items if key.get("affiliate_id") == affiliate_id]


async def create_api_key(
    client: httpx.AsyncClient, *, access_token: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """A new API key `{id, name, key, expires_at}` (the key is shown once); None when refused."""
    headers = calls.bearer(access_token)
    response = await calls.send(client, "POST", "/api-keys", json=body, headers=headers)
    if response.status_code in (401, 403, 422):
        return None
    created: dict[str, Any] = calls.expect(response, 201)
    return created


async def revoke_api_key(client: httpx.AsyncClient, *, access_token: str, key_id: int) -> bool:
    """Revoke a key (it and every token minted from it stop working); False when not found."""
    path = f"/api-keys/{key_id}"
    response = await calls.send(client, "DELETE", path, headers=calls.bearer(access_token))
    if response.status_code in (401, 403, 404, 422):
        return False
    if response.status_code != 204:
        raise ApiUnavailable(f"accounts answered {response.status_code} to a key's revocation")
    return True
