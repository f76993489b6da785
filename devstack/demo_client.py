"""A thin client of Cohort's public HTTP API, as the demo uses it."""

import os
from collections.abc import Iterator
from typing import Any

import httpx

from devstack.credentials import AccessTokens
from devstack.ports import DEFAULT_PORTS, StackError, configured_ports


def _base_url(service: str) -> str:
    try:
        port = configured_ports(os.environ)[service]
    except StackError:
        port = DEFAULT_PORTS[service]  # the demo's start refuses the setting, saying why
    return f"http://127.0.0.1:{port}"


ACCOUNTS = _base_url("accounts")
REGISTRY = _base_url("registry")
SCHEDULER = _base_url("scheduler")
NOTIFIER = _base_url("notifier")


class ApiError(RuntimeError):
    """An API call answered with an unexpected status."""


class CohortApi:
    """Calls the services with access tokens minted from each caller's credential (the bootstrap
    token, an API key, a session); raises on unexpected answers."""

    def __init__(self, admin_token: str) -> None:
        self.http = httpx.Client(timeout=30.0)
        self.admin = admin_token
        self.tokens = AccessTokens(self.http, ACCOUNTS)

    def headers(self, credential: str | None) -> dict[str, str]:
        """The Authorization header for a credential (none for an anonymous call)."""
        return {"Authorization": f"Bearer {self.tokens.token(credential)}"} if credential else {}

    def call(
        self,
        method: str,
        url: str,
        credential: str | None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201),
        **params: Any,
    ) -> Any:
        """Make one request as the credential's holder and return its JSON."""
        headers = self.headers(credential)
        response = self.http.request(method, url, json=body, headers=headers, params=params or None)
        if response.status_code not in ok:
            raise ApiError(f"{method} {url} → {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None

    def pages(self, url: str, token: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list."""
        offset = 0
        while True:
            page = self.call("GET", url, token, limit=100, offset=offset, **params)
            yield from page["items"]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return
